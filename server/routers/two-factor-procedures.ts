import { z } from 'zod';
import { countPasskeys } from '../auth/passkeys';
import { recentAuth } from '../bridge/account-guards';
import { guarded, publicProcedure } from '../bridge/bridge';
import { authed } from '../bridge/guards';
import { messageFor } from '../i18n/catalog';

const codeSchema = z.string().trim().min(1, 'Enter the code from your authenticator app.').max(16);
const recoveryCodeSchema = z.string().trim().min(1, 'Enter a recovery code.').max(32);

/** **Verify**: an authentication code or a recovery code, and whether to trust this browser. */
const secondStepInput = z.union([
  z.object({ code: codeSchema, trustDevice: z.boolean().optional() }),
  z.object({ recoveryCode: recoveryCodeSchema, trustDevice: z.boolean().optional() }),
]);

/**
 * The two-factor procedures, merged into `auth.*`: Settings → **Security**
 * (status, setup, turn on and off, regenerate recovery codes) and the
 * **Two-factor authentication** page (`secondStep`, `verifySecondFactor`).
 */
export const twoFactorProcedures = {
  twoFactorStatus: guarded(authed()).query(function twoFactorStatus({ ctx }) {
    return ctx.auth.twoFactor.status();
  }),

  // Adding a factor locks the account to whoever holds it: a stolen session must not.
  beginTwoFactorSetup: guarded(recentAuth()).mutation(function beginTwoFactorSetup({ ctx }) {
    return ctx.auth.twoFactor.beginSetup();
  }),

  // Only a setup begun behind recentAuth() can be confirmed: its key is the proof.
  enableTwoFactor: guarded(authed())
    .input(z.object({ code: codeSchema }))
    .mutation(async function enableTwoFactor({ ctx, input }) {
      const recoveryCodes = await ctx.auth.twoFactor.enable(input.code, ctx.request.languageCode);
      ctx.actions.toast('success', messageFor(ctx.request.languageCode, 'twoFactorIsOn', ctx.runtime.config.auth.messages));
      return { recoveryCodes };
    }),

  disableTwoFactor: guarded(recentAuth()).mutation(async function disableTwoFactor({ ctx }) {
    await ctx.auth.twoFactor.disable();
    ctx.actions.toast('success', messageFor(ctx.request.languageCode, 'twoFactorTurnedOff', ctx.runtime.config.auth.messages));
    return null;
  }),

  regenerateRecoveryCodes: guarded(recentAuth()).mutation(async function regenerateRecoveryCodes({ ctx }) {
    return { recoveryCodes: await ctx.auth.twoFactor.regenerateRecoveryCodes() };
  }),

  /**
   * Whether this tab has a second step to answer (the page sends it back to
   * sign in otherwise), and whether its user may answer it with a passkey.
   */
  secondStep: publicProcedure.query(async function secondStep({ ctx }) {
    const pending = await ctx.auth.twoFactor.pendingSecondStep();
    return {
      pending: pending !== null,
      trustDeviceOffered: ctx.runtime.config.twoFactor.trustDevice,
      passkey: pending !== null && (await countPasskeys(ctx.db, pending.userId)) > 0,
    };
  }),

  verifySecondFactor: publicProcedure.input(secondStepInput).mutation(async function verifySecondFactor({ ctx, input }) {
    const answer = 'code' in input ? { code: input.code } : { recoveryCode: input.recoveryCode };
    const user = await ctx.auth.twoFactor.verifySecondStep(answer, {
      trustDevice: input.trustDevice === true,
      language: ctx.request.languageCode,
    });
    return { username: user.username };
  }),
};
