import { describe, expect, test } from 'bun:test';
import { PASSKEY_CHALLENGE_TTL_MS, PasskeyChallenges } from '../../../server/auth/passkey-challenges';
import { mayRemoveSignInWay, type SignInWays } from '../../../server/auth/sign-in-ways';

const ANYONE = { sessionId: null, userId: null };
const ADA = { sessionId: 's1', userId: 1 };

describe('a connection’s passkey challenges', () => {
  test('match once: the slot is gone after it is taken, whatever the outcome', () => {
    const challenges = new PasskeyChallenges();
    const { encoded } = challenges.issue('sign-in', ANYONE);
    expect(challenges.take('sign-in', ANYONE)?.matches(encoded)).toBe(true);
    expect(challenges.take('sign-in', ANYONE)).toBeNull();
    const second = challenges.issue('sign-in', ANYONE);
    expect(challenges.take('sign-in', ANYONE)?.matches('not it')).toBe(false);
    expect(challenges.take('sign-in', ANYONE)).toBeNull();
    expect(second.encoded).not.toBe(encoded);
  });

  test('expire after five minutes (an injected clock)', () => {
    const challenges = new PasskeyChallenges();
    const now = 1_000_000;
    const { encoded } = challenges.issue('confirm', ADA, { now });
    expect(challenges.take('confirm', ADA, now + PASSKEY_CHALLENGE_TTL_MS)).toBeNull();
    challenges.issue('confirm', ADA, { now });
    expect(challenges.take('confirm', ADA, now + PASSKEY_CHALLENGE_TTL_MS - 1)?.matches(encoded)).toBe(false);
  });

  test('are bound to the session and user they were issued to, and to their ceremony', () => {
    const challenges = new PasskeyChallenges();
    challenges.issue('register', ADA);
    expect(challenges.take('register', { sessionId: 's2', userId: 1 })).toBeNull();
    challenges.issue('register', ADA);
    expect(challenges.take('register', { sessionId: 's1', userId: 2 })).toBeNull();
    const { encoded } = challenges.issue('register', ADA);
    expect(challenges.take('sign-in', ANYONE)).toBeNull();
    expect(challenges.take('register', ADA)?.matches(encoded)).toBe(true);
  });

  test('a new request replaces the pending one of its ceremony only', () => {
    const challenges = new PasskeyChallenges();
    const first = challenges.issue('sign-in', ANYONE);
    const confirm = challenges.issue('confirm', ADA);
    const second = challenges.issue('sign-in', ANYONE);
    expect(challenges.take('sign-in', ANYONE)?.matches(first.encoded)).toBe(false);
    challenges.issue('sign-in', ANYONE);
    expect(challenges.take('confirm', ADA)?.matches(confirm.encoded)).toBe(true);
    expect(second.bytes).toHaveLength(32);
  });

  test('keep only a hash: the challenge itself is nowhere in the store', () => {
    const challenges = new PasskeyChallenges();
    const { encoded } = challenges.issue('sign-in', ANYONE);
    const kept = (challenges as unknown as { pending: Map<string, { hash: Uint8Array }> }).pending.get('sign-in')!;
    expect(JSON.stringify({ ...kept, hash: Buffer.from(kept.hash).toString('base64url') })).not.toContain(encoded);
  });
});

describe('the one rule for taking a way to sign in away', () => {
  const ways = (w: Partial<SignInWays>): SignInWays => ({ password: false, passkeys: 0, identities: 0, emailLink: false, ...w });

  test('the password goes only while a passkey remains', () => {
    expect(mayRemoveSignInWay(ways({ password: true }), 'password')).toBe(false);
    expect(mayRemoveSignInWay(ways({ password: true, identities: 1 }), 'password')).toBe(false);
    expect(mayRemoveSignInWay(ways({ password: true, emailLink: true }), 'password')).toBe(false);
    expect(mayRemoveSignInWay(ways({ password: true, passkeys: 1 }), 'password')).toBe(true);
    expect(mayRemoveSignInWay(ways({ passkeys: 1 }), 'password')).toBe(false);
  });

  test('never the last way in, whichever it is', () => {
    expect(mayRemoveSignInWay(ways({ passkeys: 1 }), 'passkey')).toBe(false);
    expect(mayRemoveSignInWay(ways({ passkeys: 2 }), 'passkey')).toBe(true);
    expect(mayRemoveSignInWay(ways({ passkeys: 1, identities: 1 }), 'passkey')).toBe(true);
    expect(mayRemoveSignInWay(ways({ identities: 1 }), 'identity')).toBe(false);
    expect(mayRemoveSignInWay(ways({ identities: 1, passkeys: 1 }), 'identity')).toBe(true);
    expect(mayRemoveSignInWay(ways({ identities: 1, emailLink: true }), 'identity')).toBe(true);
    expect(mayRemoveSignInWay(ways({ password: true }), 'identity')).toBe(false);
  });
});
