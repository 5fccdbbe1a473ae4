import { encodeBase64urlNoPadding } from '@oslojs/encoding';
import { hashSecret, secretMatches } from './secrets';

/** The ceremonies a challenge can be for; each has its own slot. */
export type PasskeyCeremony = 'sign-in' | 'register' | 'confirm' | 'second-step';

/** A challenge lives 5 minutes: enough for a prompt, short enough to be useless later. */
export const PASSKEY_CHALLENGE_TTL_MS = 5 * 60 * 1000;

/** Bytes of CSPRNG output per challenge (WebAuthn asks for at least 16). */
const CHALLENGE_BYTES = 32;

/** Who a challenge was issued to: the session and user of the tab (null for a sign-in). */
export interface ChallengeBinding {
  readonly sessionId: string | null;
  readonly userId: number | null;
}

/** A challenge as the connection keeps it: its SHA-256, never the challenge itself. */
interface PendingChallenge extends ChallengeBinding {
  readonly hash: Uint8Array;
  readonly expiresAt: number;
  readonly userHandle: string | null;
}

/** A challenge taken for one verification: matches the client's once, then is gone. */
export interface TakenChallenge {
  /** Whether the challenge the authenticator signed is this one (constant-time on the hashes). */
  matches(challenge: string): boolean;
  /** The user handle a registration's options carried (the browser does not send it back). */
  readonly userHandle: string | null;
}

/**
 * The WebAuthn challenges of one connection (one tab), at most one per
 * ceremony: a new request replaces the one before. They live in the
 * connection's memory, so a challenge is bound to the socket that asked for
 * it (another tab, or another process, has none to match) and goes with it.
 * Only SHA-256 of each is kept; `take` removes the slot before anything is
 * checked, so a challenge is used at most once whatever the outcome.
 */
export class PasskeyChallenges {
  private readonly pending = new Map<PasskeyCeremony, PendingChallenge>();

  /**
   * A fresh challenge for `ceremony`, bound to `binding`: its bytes (for the
   * options) and their base64url form (what the client data will carry).
   * A registration keeps the user handle its options name.
   */
  issue(
    ceremony: PasskeyCeremony,
    binding: ChallengeBinding,
    options: { userHandle?: string; now?: number } = {},
  ): { bytes: Uint8Array<ArrayBuffer>; encoded: string } {
    const bytes = new Uint8Array(CHALLENGE_BYTES);
    crypto.getRandomValues(bytes);
    const encoded = encodeBase64urlNoPadding(bytes);
    const now = options.now ?? Date.now();
    this.pending.set(ceremony, {
      sessionId: binding.sessionId,
      userId: binding.userId,
      hash: hashSecret(encoded),
      expiresAt: now + PASSKEY_CHALLENGE_TTL_MS,
      userHandle: options.userHandle ?? null,
    });
    return { bytes, encoded };
  }

  /**
   * Takes the pending challenge of `ceremony` (it is gone after this call):
   * `null` when there is none, it expired, or it was issued to another
   * session or user than `binding`.
   */
  take(ceremony: PasskeyCeremony, binding: ChallengeBinding, now: number = Date.now()): TakenChallenge | null {
    const pending = this.pending.get(ceremony);
    this.pending.delete(ceremony);
    if (!pending || pending.expiresAt <= now) return null;
    if (pending.sessionId !== binding.sessionId || pending.userId !== binding.userId) return null;
    return { matches: (challenge: string): boolean => secretMatches(challenge, pending.hash), userHandle: pending.userHandle };
  }
}
