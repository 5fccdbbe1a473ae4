import { z } from 'zod';
import { users } from '../../db/schema';
import { defineUserModel } from '../index';

/** What a display name may be: trimmed, at most 50 characters, empty for none. */
export const displayNameInput = z.string().trim().max(50, 'Use at most 50 characters.');

/**
 * The example app's own user field: a display name, on `ctx.user`, in the
 * `auth` snapshot (the navbar shows it) and asked for at sign-up.
 */
export const userModel = defineUserModel({
  table: users,
  snapshot: ['displayName'],
  registration: z.object({ displayName: displayNameInput.optional() }),
});

declare module '../index' {
  interface Register {
    userModel: typeof userModel;
  }
}
