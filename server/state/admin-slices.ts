import { defineSlice } from './slices';

/**
 * Open admin pages follow this slice: every admin change pushes a new
 * `revision` to the tabs of active staff users, and a page showing a list
 * or a record reads it again (another admin's change appears without a
 * reload).
 */
export const adminSlice = defineSlice('admin', { revision: 0 });

/**
 * A user's tabs follow this slice: its `revision` moves whenever the user's
 * permissions, groups or flags change (`ctx.auth.notifyUsersChanged`, the
 * admin console, `bun run manage`), so a page that shows what a permission
 * allows reads again and shows or hides it at once.
 */
export const accessSlice = defineSlice('access', { revision: 0 });

/** The slices Statehouse declares itself, next to the app's. */
export const FRAMEWORK_SLICES = [adminSlice, accessSlice] as const;
