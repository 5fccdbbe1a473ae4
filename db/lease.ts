import { and, eq, lte, or, sql } from 'drizzle-orm';
import type { Database } from './client';
import { leases } from './schema';

/**
 * Takes lease `name` for `holder` until `now + ttlMs`, or renews it when
 * `holder` has it already. One conditional upsert: the row is written only
 * when it is new, expired, or `holder`'s own, so of several processes sharing
 * the database (a `file:` URL or a libSQL server) exactly one gets it.
 * Returns whether `holder` holds it now.
 *
 * @example
 * if (await acquireLease(db, 'housekeeping', processId, 5 * MINUTE)) await runPass();
 */
export async function acquireLease(db: Database, name: string, holder: string, ttlMs: number, now: number = Date.now()): Promise<boolean> {
  const taken = await db
    .insert(leases)
    .values({ name, holder, expiresAt: now + ttlMs })
    .onConflictDoUpdate({
      target: leases.name,
      set: { holder: sql`excluded.holder`, expiresAt: sql`excluded.expires_at` },
      setWhere: or(eq(leases.holder, holder), lte(leases.expiresAt, now)),
    })
    .returning({ holder: leases.holder });
  return taken.length === 1 && taken[0]!.holder === holder;
}

/** Gives lease `name` back, if `holder` has it, so another process may take it at once. */
export async function releaseLease(db: Database, name: string, holder: string): Promise<void> {
  await db.delete(leases).where(and(eq(leases.name, name), eq(leases.holder, holder)));
}

/** Who holds lease `name` and until when, or `null` when nobody does. */
export async function leaseHolder(
  db: Database,
  name: string,
  now: number = Date.now(),
): Promise<{ holder: string; expiresAt: number } | null> {
  const [row] = await db.select().from(leases).where(eq(leases.name, name)).limit(1);
  return row && row.expiresAt > now ? { holder: row.holder, expiresAt: row.expiresAt } : null;
}
