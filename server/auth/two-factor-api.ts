import type { AuthApi, AuthEvent } from './auth-api';
import type { SecondFactor } from './session';
import type { TwoFactorState } from './two-factor';
import {
  admitSecondStep,
  beginTwoFactorSetup,
  completeSecondStep,
  confirmIdentityWithCode,
  disableTwoFactor,
  enableTwoFactor,
  failSecondStep,
  pendingSecondStep,
  regenerateRecoveryCodes,
  twoFactorStatus,
  verifySecondStep,
  type PendingSecondStep,
  type SecondStepAnswer,
} from './two-factor-flow';
import type { LoggedInUser } from './user';

/**
 * `ctx.auth.twoFactor`: two-factor sign-in for an app's own procedures (the
 * canned ones under `auth.*` call the same). `language` is the caller's
 * (`ctx.request.languageCode`): refusals are written in it.
 *
 * @example
 * const codes = await ctx.auth.twoFactor.enable(input.code, ctx.request.languageCode);
 */
export class TwoFactorApi {
  constructor(
    private readonly event: AuthEvent,
    private readonly auth: AuthApi,
  ) {}

  /** Whether two-factor is on for the signed-in user, how many recovery codes are left, and whether config offers it. */
  status(): Promise<TwoFactorState & { available: boolean }> {
    return twoFactorStatus(this.event);
  }

  /** **Set up authenticator app**: the **Setup key** and the `otpauth://` URI (the one answer that carries the secret). */
  beginSetup(): Promise<{ setupKey: string; uri: string }> {
    return beginTwoFactorSetup(this.event);
  }

  /** **Turn on two-factor** with a code of the app being set up: the 10 recovery codes, shown once. */
  enable(code: string, language?: string): Promise<string[]> {
    return enableTwoFactor(this.event, this.auth, code, language);
  }

  /** Turns two-factor off and ends the user's other sessions (put it behind `recentAuth()`). */
  disable(): Promise<void> {
    return disableTwoFactor(this.event, this.auth);
  }

  /** **Regenerate**: new recovery codes replace the old ones (put it behind `recentAuth()`). */
  regenerateRecoveryCodes(): Promise<string[]> {
    return regenerateRecoveryCodes(this.event, this.auth);
  }

  /** The second step this tab may complete, if any. */
  pendingSecondStep(): Promise<PendingSecondStep | null> {
    return pendingSecondStep(this.event);
  }

  /** **Verify**: a code or a recovery code answers the pending second step and signs in. */
  verifySecondStep(answer: SecondStepAnswer, options: { trustDevice?: boolean; language?: string } = {}): Promise<LoggedInUser> {
    return verifySecondStep(this.event, this.auth, answer, options);
  }

  /** The pending step, once the address and account budgets allow another answer (see `admitSecondStep`). */
  admitSecondStep(language?: string): Promise<PendingSecondStep> {
    return admitSecondStep(this.event, language);
  }

  /** Counts a wrong answer of a factor the caller checked itself (a passkey, say). */
  failSecondStep(pending: PendingSecondStep, factor: SecondFactor): Promise<void> {
    return failSecondStep(this.event, this.auth, pending, factor);
  }

  /** Completes a pending second step with a factor the caller verified itself (a passkey, say). */
  completeSecondStep(
    pending: PendingSecondStep,
    factor: SecondFactor,
    options: { trustDevice?: boolean; language?: string } = {},
  ): Promise<LoggedInUser> {
    return completeSecondStep(this.event, this.auth, pending, factor, options);
  }

  /** **Confirm it's you** with an **Authentication code**. */
  confirmIdentity(code: string, language?: string): Promise<void> {
    return confirmIdentityWithCode(this.event, this.auth, code, language);
  }
}
