import { z } from 'zod';
import { TOAST_KINDS, type AppAction } from './protocol';
import { safeNextPath } from './redirect';

/** Longest toast message a push or a hook may send. */
export const MAX_TOAST_LENGTH = 1_000;
/** Most actions one push or one hook answer may carry. */
export const MAX_APP_ACTIONS = 20;

/** A path on this site (what `safeNextPath` accepts): where an action or a sign-in may send a tab. */
export const sitePathSchema = z
  .string()
  .max(2048)
  .refine((to) => safeNextPath(to) !== null, 'must be a path on this site, such as /notes');

/**
 * One {@link AppAction}: `navigate` to a path on this site (what
 * `safeNextPath` accepts), a `toast`, or a `reload`. What crosses the bus, or
 * comes back from a hook, is checked against it before any tab sees it.
 */
export const appActionSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('navigate'),
    to: sitePathSchema,
    replace: z.boolean().optional(),
  }),
  z.strictObject({
    type: z.literal('toast'),
    kind: z.enum(TOAST_KINDS),
    message: z.string().min(1).max(MAX_TOAST_LENGTH),
  }),
  z.strictObject({ type: z.literal('reload') }),
]) satisfies z.ZodType<AppAction>;

/** A list of {@link AppAction}s, at most {@link MAX_APP_ACTIONS}. */
export const appActionsSchema = z.array(appActionSchema).max(MAX_APP_ACTIONS);
