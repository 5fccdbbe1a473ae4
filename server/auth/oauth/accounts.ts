import type { Database } from '../../../db/client';
import type { UserRow } from '../../../db/schema';
import type { StatehouseConfig } from '../../config';
import { findIdentity, linkIdentity, touchIdentity, type StoredTokens } from '../identities';
import type { PasswordHashing } from '../password';
import { createUser, findUserByEmail, findUserById, findUserByUsername, MAX_USERNAME_LENGTH, USERNAME_PATTERN } from '../users';
import type { ProviderProfile } from './providers';

/**
 * Who a provider sign-in is, by the account rules of
 * docs/oauth-and-email-links.md:
 *
 * 1. a known identity signs its user in (an inactive user is refused);
 * 2. `connect` links a new identity to the user who began the flow (one held
 *    by another user is refused);
 * 3. a new identity whose verified address matches a user links only when
 *    that user's address is verified too; otherwise it is refused
 *    (`account_exists`), never silently merged;
 * 4. otherwise a new account when sign-up is open, else `signup_closed`.
 */
export type AccountOutcome =
  | { ok: true; user: UserRow; created: boolean; linked: boolean }
  | { ok: false; reason: 'inactive' | 'account_exists' | 'signup_closed' | 'identity_taken' };

/**
 * Whether the user's address is proven theirs (opened its verification link,
 * or given by an admin): only then may a provider identity with the same
 * verified address join that account (rule 3).
 */
export function isEmailVerified(user: UserRow): boolean {
  return user.emailVerified;
}

export interface ResolveOptions {
  config: StatehouseConfig;
  hashing: PasswordHashing;
  /** The user who began a `connect` flow; `null` for a sign-in. */
  connectUserId: number | null;
  tokens: StoredTokens;
  now?: number;
}

export async function resolveAccount(db: Database, profile: ProviderProfile, options: ResolveOptions): Promise<AccountOutcome> {
  const now = options.now ?? Date.now();
  const known = await findIdentity(db, profile.provider, profile.subject);
  if (known) {
    if (options.connectUserId !== null && known.userId !== options.connectUserId) return { ok: false, reason: 'identity_taken' };
    const user = await findUserById(db, known.userId);
    if (!user?.isActive) return { ok: false, reason: 'inactive' };
    await touchIdentity(db, known.id, options.tokens, now);
    return { ok: true, user, created: false, linked: false };
  }
  const identity = { provider: profile.provider, subject: profile.subject, email: profile.email };
  if (options.connectUserId !== null) {
    const user = await findUserById(db, options.connectUserId);
    if (!user?.isActive) return { ok: false, reason: 'inactive' };
    await linkIdentity(db, { ...identity, userId: user.id }, options.tokens, now);
    return { ok: true, user, created: false, linked: true };
  }
  const owner = profile.email && profile.emailVerified ? await findUserByEmail(db, profile.email) : null;
  if (owner) {
    if (!isEmailVerified(owner)) return { ok: false, reason: 'account_exists' };
    if (!owner.isActive) return { ok: false, reason: 'inactive' };
    await linkIdentity(db, { ...identity, userId: owner.id }, options.tokens, now);
    return { ok: true, user: owner, created: false, linked: true };
  }
  if (!options.config.auth.signupEnabled) return { ok: false, reason: 'signup_closed' };
  const created = await createUser(
    db,
    {
      username: await freeUsername(db, profile),
      // Only an address the provider vouches for; one held by another account is left off.
      email: profile.emailVerified ? profile.email : null,
    },
    { hashing: options.hashing, rules: options.config.password, ifEmailTaken: 'leaveEmpty' },
  );
  if (!created.ok) throw new Error(`could not create an account for a provider sign-in: ${created.errors.map((e) => e.code).join(', ')}`);
  await linkIdentity(db, { ...identity, userId: created.value.id }, options.tokens, now);
  return { ok: true, user: created.value, created: true, linked: true };
}

/** The provider's username made valid, then `-2`, `-3`, … until one is free. */
async function freeUsername(db: Database, profile: ProviderProfile): Promise<string> {
  const cleaned = (profile.username ?? '').replace(/[^\w.@+-]/g, '').slice(0, MAX_USERNAME_LENGTH - 8);
  const base = cleaned.length > 0 && USERNAME_PATTERN.test(cleaned) ? cleaned : `${profile.provider}-user`;
  for (let n = 1; n < 1000; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (!(await findUserByUsername(db, candidate))) return candidate;
  }
  return `${base}-${crypto.randomUUID().slice(0, 8)}`;
}
