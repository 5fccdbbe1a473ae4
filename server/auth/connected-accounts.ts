import type { Database } from '../../db/client';
import type { StatehouseConfig } from '../config';
import { countIdentities, listIdentities, unlinkIdentity, type ConnectedAccount } from './identities';
import { isUsablePasswordHash } from './password';
import { findUserById } from './users';

/** One configured provider as the settings page lists it: connected or not. */
export interface ProviderConnection {
  provider: string;
  label: string;
  account: ConnectedAccount | null;
}

/**
 * The user's connected accounts, one entry per configured provider (and per
 * identity of a provider no longer configured), in config order.
 */
export async function connectedAccounts(
  db: Database,
  providers: readonly { id: string; label: string }[],
  userId: number,
): Promise<ProviderConnection[]> {
  const identities = await listIdentities(db, userId);
  const listed: ProviderConnection[] = providers.map((p) => ({
    provider: p.id,
    label: p.label,
    account: identities.find((i) => i.provider === p.id) ?? null,
  }));
  for (const identity of identities) {
    if (!listed.some((l) => l.account?.id === identity.id))
      listed.push({ provider: identity.provider, label: identity.provider, account: identity });
  }
  return listed;
}

export type DisconnectOutcome = 'disconnected' | 'not_found' | 'last_method';

/**
 * Removes one of the user's provider identities, unless it is their last way
 * to sign in: no usable password, no other identity, and no emailed link
 * (`auth.magicLink` with an address on the account). Recent re-authentication
 * belongs in front of this once the site has it.
 */
export async function disconnectAccount(
  db: Database,
  config: StatehouseConfig,
  userId: number,
  identityId: number,
): Promise<DisconnectOutcome> {
  const user = await findUserById(db, userId);
  if (!user) return 'not_found';
  const identities = await countIdentities(db, userId);
  const otherWays = (isUsablePasswordHash(user.passwordHash) ? 1 : 0) + (identities - 1) + (config.auth.magicLink && user.email ? 1 : 0);
  const mine = (await listIdentities(db, userId)).some((i) => i.id === identityId);
  if (!mine) return 'not_found';
  if (otherWays < 1) return 'last_method';
  return (await unlinkIdentity(db, userId, identityId)) ? 'disconnected' : 'not_found';
}
