import { z } from 'zod';
import { publicProcedure } from '../bridge/bridge';
import { router, type EventContext } from '../bridge/trpc';
import { providerLabels } from '../auth/oauth/provider-labels';
import { AUTH_SLICE, SITE_SLICE, type Delta, type SiteSnapshot, type StatePush } from '../state/protocol';
import { seedLanguageSlice } from './i18n-router';
import { initialValues } from '../state/slices';
import type { StatehouseConfig } from '../config';

/**
 * Built-in procedures of every Statehouse app, under `statehouse.*`:
 * the per-connection `state` subscription and the route mirror update.
 */
export const stateRouter = router({
  /**
   * Pushes of this connection: first every slice in full (resumed or
   * initial), then deltas and actions produced outside the tab's own events
   * (other tabs' logout, revocation, server jobs).
   */
  state: publicProcedure.subscription(function stateStream({ ctx }): AsyncIterable<StatePush> {
    // The long-lived stream holds the connection only, not this event's
    // context: an idle tab keeps no StateEvent, request or session proxy alive.
    const first = firstPush(ctx);
    first.catch(() => {}); // the stream rethrows it on the first pull
    // No `signal` read: the socket protocol ends a push stream through its
    // `return()`, and a signal never read is never made (`push-source.ts`).
    return ctx.connection.pushes(undefined, first);
  }),

  /** The tab's page changed: the route mirror follows (also applied in order on arrival). */
  route: publicProcedure
    .input(z.object({ path: z.string().startsWith('/').max(2048), query: z.string().max(2048) }))
    .mutation(function reportRoute({ ctx, input }) {
      ctx.connection.followRoute(input.path, input.query);
      return null;
    }),
});

/** Every slice in full, the auth snapshot and the site settings: the first push of a tab. */
async function firstPush(ctx: EventContext): Promise<StatePush> {
  const { connection: conn, runtime } = ctx;
  await seedLanguageSlice(ctx);
  const full: Delta = {};
  for (const [name, values] of conn.slices) full[name] = { ...values };
  // A slice the tab never changed is sent, not kept: an idle tab holds no copy of the
  // initial values (made again on the first write, see `Connection.patchSlice`).
  for (const def of runtime.slices.values()) full[def.name] ??= initialValues(def);
  conn.authSnapshot = await runtime.snapshots.of(ctx.user);
  full[AUTH_SLICE] = { ...conn.authSnapshot };
  full[SITE_SLICE] = { ...siteSnapshot(runtime.config) };
  return { delta: full, actions: ctx.actions.list.splice(0), full: true };
}

/** The config a browser may see: URLs, switches, texts. Nothing secret. */
export function siteSnapshot(config: StatehouseConfig): SiteSnapshot {
  const { auth } = config;
  return {
    siteName: config.siteName,
    loginUrl: auth.loginUrl,
    signupUrl: auth.signupUrl,
    passwordResetUrl: auth.passwordResetUrl,
    loginRedirectUrl: auth.loginRedirectUrl,
    signupEnabled: auth.signupEnabled,
    passwordResetEnabled: auth.passwordResetEnabled,
    emailVerification: auth.emailVerification,
    verifyEmailUrl: auth.verifyEmailUrl,
    loginFields: [...auth.loginFields],
    oauthProviders: providerLabels(config),
    magicLinkEnabled: auth.magicLink,
    messages: { ...auth.messages },
    languages: [...config.languages],
  };
}
