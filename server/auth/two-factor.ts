import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { and, eq, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { pendingSecondSteps, recoveryCodes, trustedDevices, twoFactorSecrets, type PendingSecondStepRow } from '../../db/schema';
import { hashSecret, newToken, secretMatches, splitToken } from './secrets';
import { matchTotp, newTotpKey } from './totp';
import { openTotpKey, sealTotpKey } from './two-factor-key';

/**
 * Two-factor data: the sealed TOTP key and its last accepted step, recovery
 * codes (hashed, single use), trusted devices and second steps pending after
 * an HTTP sign-in (both `id.secret` tokens, hashed). No framework here: the
 * flows in `two-factor-flow.ts` call these with the database and the clock.
 */

/** How many recovery codes a user gets. */
export const RECOVERY_CODE_COUNT = 10;
/**
 * Bytes per recovery code: 80 bits, written as 16 base32 characters. Their
 * hashes are plain SHA-256 (a code is looked up by hash): at 80 bits, a
 * stolen table is not worth brute-forcing.
 */
const RECOVERY_CODE_BYTES = 10;
/** How long a trusted device skips the second step. */
export const TRUSTED_DEVICE_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** How long a pending second step lives. */
export const SECOND_STEP_TTL_MS = 5 * 60 * 1000;

/** What Settings shows of a user's two-factor. */
export interface TwoFactorState {
  enabled: boolean;
  recoveryCodesLeft: number;
}

/** Whether `userId` has two-factor on. One indexed read: only sign-ins ask. */
export async function twoFactorEnabled(db: Database, userId: number): Promise<boolean> {
  const [row] = await db
    .select({ userId: twoFactorSecrets.userId })
    .from(twoFactorSecrets)
    .where(and(eq(twoFactorSecrets.userId, userId), isNotNull(twoFactorSecrets.enabledAt)))
    .limit(1);
  return row !== undefined;
}

/** Whether two-factor is on, and how many recovery codes are left. */
export async function twoFactorState(db: Database, userId: number): Promise<TwoFactorState> {
  const [enabled, [left]] = await Promise.all([
    twoFactorEnabled(db, userId),
    db
      .select({ n: sql<number>`count(*)` })
      .from(recoveryCodes)
      .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt))),
  ]);
  return { enabled, recoveryCodesLeft: enabled ? Number(left?.n ?? 0) : 0 };
}

/**
 * **Set up authenticator app**: a new TOTP key for a user whose two-factor
 * is off, kept sealed until a code confirms it; `null` when it is on
 * already. Setting up again replaces an unconfirmed key.
 */
export async function beginTotpSetup(db: Database, sealingKey: Uint8Array, userId: number, now: number): Promise<Uint8Array | null> {
  if (await twoFactorEnabled(db, userId)) return null;
  const key = newTotpKey();
  const secret = sealTotpKey(sealingKey, key);
  await db
    .insert(twoFactorSecrets)
    .values({ userId, secret, createdAt: now, enabledAt: null, lastUsedStep: 0 })
    .onConflictDoUpdate({
      target: twoFactorSecrets.userId,
      set: { secret, createdAt: now, lastUsedStep: 0 },
      where: isNull(twoFactorSecrets.enabledAt),
    });
  return key;
}

/**
 * **Turn on two-factor**: checks a code of the key being set up and turns
 * two-factor on; answers the new recovery codes (shown once), or `null` for
 * a wrong code or no setup under way.
 */
export async function confirmTotpSetup(
  db: Database,
  sealingKey: Uint8Array,
  userId: number,
  code: string,
  now: number,
): Promise<string[] | null> {
  const [row] = await db.select().from(twoFactorSecrets).where(eq(twoFactorSecrets.userId, userId)).limit(1);
  if (!row || row.enabledAt !== null) return null;
  const key = openTotpKey(sealingKey, row.secret);
  const step = key && matchTotp(key, code, now, row.lastUsedStep);
  if (step === null || step === undefined) return null;
  const turnedOn = await db
    .update(twoFactorSecrets)
    .set({ enabledAt: now, lastUsedStep: step })
    .where(and(eq(twoFactorSecrets.userId, userId), isNull(twoFactorSecrets.enabledAt)))
    .returning({ userId: twoFactorSecrets.userId });
  if (turnedOn.length !== 1) return null;
  return replaceRecoveryCodes(db, userId, now);
}

/**
 * Checks a code of a user's authenticator app: within ±1 step of `now` and
 * newer than the last accepted one, which it becomes (atomically: of two
 * concurrent uses of one code only one passes).
 */
export async function verifyTotp(db: Database, sealingKey: Uint8Array, userId: number, code: string, now: number): Promise<boolean> {
  const [row] = await db.select().from(twoFactorSecrets).where(eq(twoFactorSecrets.userId, userId)).limit(1);
  if (!row || row.enabledAt === null) return false;
  const key = openTotpKey(sealingKey, row.secret);
  const step = key && matchTotp(key, code, now, row.lastUsedStep);
  if (step === null || step === undefined) return false;
  const advanced = await db
    .update(twoFactorSecrets)
    .set({ lastUsedStep: step })
    .where(and(eq(twoFactorSecrets.userId, userId), lt(twoFactorSecrets.lastUsedStep, step)))
    .returning({ userId: twoFactorSecrets.userId });
  return advanced.length === 1;
}

/** A recovery code as typed: lower case, without spaces and dashes. */
function normaliseRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

/** New recovery codes for a user, replacing the old ones; each `xxxx-xxxx-xxxx-xxxx`. */
export async function replaceRecoveryCodes(db: Database, userId: number, now: number): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = new Uint8Array(RECOVERY_CODE_BYTES);
    crypto.getRandomValues(bytes);
    const text = encodeBase32LowerCaseNoPadding(bytes);
    return text.match(/.{4}/g)!.join('-');
  });
  await db.batch([
    db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)),
    db
      .insert(recoveryCodes)
      .values(codes.map((code) => ({ userId, codeHash: Buffer.from(hashSecret(normaliseRecoveryCode(code))), createdAt: now }))),
  ]);
  return codes;
}

/**
 * Uses one recovery code of a user: `true` once per code. Every unused code
 * is compared in constant time; the use is atomic (two concurrent uses of one
 * code: one passes).
 */
export async function useRecoveryCode(db: Database, userId: number, code: string, now: number): Promise<boolean> {
  const typed = normaliseRecoveryCode(code);
  if (!/^[a-z2-7]{16}$/.test(typed)) return false;
  const presented = hashSecret(typed);
  const rows = await db
    .select({ id: recoveryCodes.id, codeHash: recoveryCodes.codeHash })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
  let found: number | null = null;
  for (const row of rows) if (constantTimeEqual(presented, new Uint8Array(row.codeHash)) && found === null) found = row.id;
  if (found === null) return false;
  const used = await db
    .update(recoveryCodes)
    .set({ usedAt: now })
    .where(and(eq(recoveryCodes.id, found), isNull(recoveryCodes.usedAt)))
    .returning({ id: recoveryCodes.id });
  return used.length === 1;
}

/**
 * Turns two-factor off for a user: the key, the recovery codes, every
 * trusted device and pending second step go. `true` when it was on.
 */
export async function removeTwoFactor(db: Database, userId: number): Promise<boolean> {
  const wasOn = await twoFactorEnabled(db, userId);
  await db.batch([
    db.delete(twoFactorSecrets).where(eq(twoFactorSecrets.userId, userId)),
    db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)),
    db.delete(trustedDevices).where(eq(trustedDevices.userId, userId)),
    db.delete(pendingSecondSteps).where(eq(pendingSecondSteps.userId, userId)),
  ]);
  return wasOn;
}

/** Trusts this browser for 30 days: the `id.secret` for its cookie. */
export async function trustDevice(db: Database, userId: number, now: number): Promise<string> {
  const { token, insert } = trustedDeviceInsert(db, userId, now);
  await insert;
  return token;
}

/**
 * {@link trustDevice}'s token and the insert of its row, for a sign-in's own
 * transaction: the device is trusted once that commits.
 */
export function trustedDeviceInsert(db: Database, userId: number, now: number) {
  const { id, token, secretHash } = newToken();
  const insert = db
    .insert(trustedDevices)
    .values({ id, secretHash: Buffer.from(secretHash), userId, createdAt: now, expiresAt: now + TRUSTED_DEVICE_TTL_MS });
  return { token, insert };
}

/** Whether a trusted-device cookie is live and belongs to `userId`. */
export async function deviceTrusted(db: Database, token: string | null | undefined, userId: number, now: number): Promise<boolean> {
  const parts = splitToken(token);
  if (!parts) return false;
  const [row] = await db.select().from(trustedDevices).where(eq(trustedDevices.id, parts.id)).limit(1);
  const matches = secretMatches(parts.secret, row ? new Uint8Array(row.secretHash) : new Uint8Array(32));
  return !!row && matches && row.userId === userId && now < row.expiresAt;
}

/** Keeps a second step pending after an HTTP sign-in: the `id.secret` for its cookie. */
export async function issuePendingSecondStep(db: Database, userId: number, method: string, now: number): Promise<string> {
  const { id, token, secretHash } = newToken();
  await db.batch([
    db.delete(pendingSecondSteps).where(and(eq(pendingSecondSteps.userId, userId), lt(pendingSecondSteps.expiresAt, now))),
    db
      .insert(pendingSecondSteps)
      .values({ id, secretHash: Buffer.from(secretHash), userId, method, createdAt: now, expiresAt: now + SECOND_STEP_TTL_MS }),
  ]);
  return token;
}

/** The live pending second step a cookie names, or `null`. */
export async function findPendingSecondStep(
  db: Database,
  token: string | null | undefined,
  now: number,
): Promise<PendingSecondStepRow | null> {
  const parts = splitToken(token);
  if (!parts) return null;
  const [row] = await db.select().from(pendingSecondSteps).where(eq(pendingSecondSteps.id, parts.id)).limit(1);
  const matches = secretMatches(parts.secret, row ? new Uint8Array(row.secretHash) : new Uint8Array(32));
  return row && matches && now < row.expiresAt ? row : null;
}

/** Counts a wrong code against a pending second step; returns the failures so far. */
export async function failPendingSecondStep(db: Database, id: string): Promise<number> {
  const [row] = await db
    .update(pendingSecondSteps)
    .set({ failures: sql`${pendingSecondSteps.failures} + 1` })
    .where(eq(pendingSecondSteps.id, id))
    .returning({ failures: pendingSecondSteps.failures });
  return row?.failures ?? Number.POSITIVE_INFINITY;
}

/** Ends a pending second step; `true` for the one call that ended it. */
export async function endPendingSecondStep(db: Database, id: string): Promise<boolean> {
  const ended = await db.delete(pendingSecondSteps).where(eq(pendingSecondSteps.id, id)).returning({ id: pendingSecondSteps.id });
  return ended.length === 1;
}
