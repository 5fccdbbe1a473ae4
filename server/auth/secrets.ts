import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';

/** Bytes of CSPRNG output per random string: 160 bits, above the 128-bit floor. */
const RANDOM_BYTES = 20;

/** A 32-character lower-case base32 string carrying 160 bits of CSPRNG entropy. */
export function generateSecureRandomString(): string {
  const bytes = new Uint8Array(RANDOM_BYTES);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

/** SHA-256 of a secret, as stored at rest. */
export function hashSecret(secret: string): Uint8Array {
  return sha256(new TextEncoder().encode(secret));
}

/** Compares a presented secret with a stored hash in constant time. */
export function secretMatches(secret: string, storedHash: Uint8Array): boolean {
  const presented = hashSecret(secret);
  if (presented.byteLength !== storedHash.byteLength) return false;
  return constantTimeEqual(presented, storedHash);
}

/** A token is `<id>.<secret>`: the id finds the row, the secret proves possession. */
export interface SplitToken {
  id: string;
  secret: string;
}

const TOKEN_PART = /^[a-z2-7]{16,64}$/;

/** Splits a token; anything not shaped like one is `null` (never a throw). */
export function splitToken(token: string | undefined | null): SplitToken | null {
  if (!token || token.length > 140) return null;
  const dot = token.indexOf('.');
  if (dot <= 0) return null;
  const id = token.slice(0, dot);
  const secret = token.slice(dot + 1);
  if (!TOKEN_PART.test(id) || !TOKEN_PART.test(secret)) return null;
  return { id, secret };
}

/** A new `id.secret` pair with the hash to store. */
export function newToken(): { id: string; secret: string; token: string; secretHash: Uint8Array } {
  const id = generateSecureRandomString();
  const secret = generateSecureRandomString();
  return { id, secret, token: `${id}.${secret}`, secretHash: hashSecret(secret) };
}
