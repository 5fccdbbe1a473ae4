import type { Database } from '../../db/client';
import type { StatehouseConfig } from '../config';
import { listIdentities, unlinkIdentity, type ConnectedAccount } from './identities';
import { mayRemoveSignInWay, signInWaysOf } from './sign-in-ways';

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
 * to sign in (`mayRemoveSignInWay`: password, passkeys, other identities,
 * an emailed link). Recent re-authentication stands in front of this
 * (`recentAuth()` on `auth.disconnectAccount`).
 */
export async function disconnectAccount(
  db: Database,
  config: StatehouseConfig,
  userId: number,
  identityId: number,
): Promise<DisconnectOutcome> {
  const ways = await signInWaysOf(db, config, userId);
  if (!ways) return 'not_found';
  const mine = (await listIdentities(db, userId)).some((i) => i.id === identityId);
  if (!mine) return 'not_found';
  if (!mayRemoveSignInWay(ways, 'identity')) return 'last_method';
  return (await unlinkIdentity(db, userId, identityId)) ? 'disconnected' : 'not_found';
}
