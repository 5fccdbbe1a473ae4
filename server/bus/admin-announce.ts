import type { Database } from '../../db/client';
import { activeStaffIds } from '../auth/admin-data';
import { adminSlice } from '../state/admin-slices';
import type { Pusher } from './pusher';

/**
 * Tells the open tabs of every active staff user that users, groups or
 * permissions changed (a new `admin` revision): their admin pages read
 * again. Over the Redis bus with `BUS_URL`, so every process hears it.
 */
export async function announceAdminChange(db: Database, pusher: Pick<Pusher, 'push'>): Promise<void> {
  const revision = Date.now();
  await Promise.all((await activeStaffIds(db)).map((userId) => pusher.push({ userId }, adminSlice, { revision })));
}
