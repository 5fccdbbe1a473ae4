import { hkdfSync } from 'node:crypto';
import type { StatehouseConfig } from '../config';
import { openWith, sealWith } from './sealing';

/**
 * The key authenticator secrets are sealed under: HKDF-SHA-256 of
 * `twoFactor.key` (32 bytes, base64) under a label of its own. Without a
 * configured key (refused in production while two-factor is enabled: see
 * `twoFactorProblems`), a development key is derived from `databaseUrl`:
 * stable across restarts of one database, distinct per database, and no
 * secret, which is why production refuses it.
 */
const INFO = 'statehouse totp secret v1';
const DEVELOPMENT_SALT = 'statehouse development two-factor key';

export function twoFactorKeyOf(config: Pick<StatehouseConfig, 'twoFactor' | 'databaseUrl'>): Buffer {
  const material = config.twoFactor.key ? Buffer.from(config.twoFactor.key, 'base64') : Buffer.from(config.databaseUrl, 'utf8');
  const salt = config.twoFactor.key ? new Uint8Array(0) : Buffer.from(DEVELOPMENT_SALT, 'utf8');
  return Buffer.from(hkdfSync('sha256', material, salt, INFO, 32));
}

/** Seals a TOTP key for its row. */
export function sealTotpKey(sealingKey: Uint8Array, key: Uint8Array): Buffer {
  return sealWith(sealingKey, Buffer.from(key).toString('base64'));
}

/** Opens a sealed TOTP key; `null` under another sealing key or when tampered with. */
export function openTotpKey(sealingKey: Uint8Array, sealed: Uint8Array): Uint8Array | null {
  const opened = openWith(sealingKey, sealed);
  return opened === null ? null : new Uint8Array(Buffer.from(opened, 'base64'));
}
