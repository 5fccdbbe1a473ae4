import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { configKeys, configValueKind, loadConfig } from '../../server/config';
import { CONFIG_REFERENCE_PATH, configReference } from '../../scripts/config-reference';

/** A valid `OAUTH_TOKEN_KEY` (32 bytes, base64). */
const KEY_32_BYTES = Buffer.alloc(32, 7).toString('base64');

describe('the configuration reference', () => {
  test('docs/configuration.md is what the schema generates (run `bun run docs:config` after changing it)', () => {
    expect(readFileSync(CONFIG_REFERENCE_PATH, 'utf8')).toBe(configReference());
  });

  test('every key of the schema has a description', () => {
    const keys = configKeys();
    expect(keys.length).toBeGreaterThan(40);
    for (const { path, meta } of keys)
      expect({ key: path.join('.'), documented: !!meta?.description }).toEqual({ key: path.join('.'), documented: true });
  });

  test('every environment variable it names sets its key', () => {
    for (const { path, schema, meta } of configKeys()) {
      if (!meta?.env) continue;
      const kind = configValueKind(schema);
      const raw = { boolean: 'true', number: '7', list: 'a.example,b.example', string: 'x' }[kind];
      // Values that pass each key's own validation.
      const samples: Record<string, string> = {
        NODE_ENV: 'test',
        DATABASE_URL: 'file:/tmp/x.db',
        BUS_URL: 'redis://127.0.0.1:1',
        SESSION_BACKEND: 'libsql',
        SESSION_REDIS_URL: 'redis://127.0.0.1:2',
        ALLOWED_ORIGINS: 'https://a.example',
        LOG_LEVEL: 'warn',
        AUTH_LOGIN_FIELDS: 'email',
        PASSWORD_MEMORY_COST: '20000',
        PASSWORD_TIME_COST: '3',
        MAIL_BACKEND: 'file',
        PUBLIC_URL: 'https://app.example',
        LANGUAGES: 'en,ar',
        AUTH_EMAIL_VERIFICATION: 'required',
        OAUTH_TOKEN_KEY: KEY_32_BYTES,
        TWO_FACTOR_KEY: KEY_32_BYTES,
      };
      // Variables that only make sense with another one set.
      const companions: Record<string, Record<string, string>> = { OAUTH_STORE_TOKENS: { OAUTH_TOKEN_KEY: KEY_32_BYTES } };
      const value = samples[meta.env] ?? raw;
      const config = loadConfig({}, { ...companions[meta.env], [meta.env]: value }) as unknown as Record<string, unknown>;
      const got = path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], config);
      const expected = kind === 'list' ? value.split(',') : kind === 'number' ? Number(value) : kind === 'boolean' ? true : value;
      expect({ env: meta.env, value: got }).toEqual({ env: meta.env, value: expected });
    }
  });
});
