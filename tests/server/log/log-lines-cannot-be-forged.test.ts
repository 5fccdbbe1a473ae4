import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createLogger } from '../../../server/log';
import { startTestServer, type TestServer } from '../../helpers/server';

/** A logger at `debug` whose lines land in an array. */
function capture() {
  const lines: string[] = [];
  return { lines, log: createLogger('debug', (line) => void lines.push(line)) };
}

const FORGED = 'x\n2026-01-01T00:00:00.000Z INFO  login ok user=admin\r\u001b[2K\u0000\u2028';

describe('control characters in a log line', () => {
  test('are escaped in the message, in every field value and in field names: one call, one line', () => {
    const { lines, log } = capture();
    log.info(`hello ${FORGED}`, { [`key${FORGED}`]: FORGED, nested: { path: FORGED }, error: new Error(FORGED) });
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(line).toContain('x\\n2026-01-01T00:00:00.000Z INFO  login ok user=admin\\r\\x1b[2K\\x00\\u2028');
  });

  test('plain text is left as it was; a value with spaces is quoted', () => {
    const { lines, log } = capture();
    log.warn('database unavailable', { event: 'notes.add', error: 'SQLITE_BUSY: database is locked' });
    expect(lines[0]).toEndWith('WARN  database unavailable event=notes.add error="SQLITE_BUSY: database is locked"');
  });
});

describe('a field value holding spaces, = or quotes', () => {
  test('is quoted with its quotes escaped: it cannot pose as fields of its own', () => {
    const { lines, log } = capture();
    log.debug('event refused', { event: 'x code=OK user=admin', code: 'NOT_FOUND', quote: 'say "hi" \\ bye', empty: '' });
    expect(lines[0]).toEndWith('event refused event="x code=OK user=admin" code=NOT_FOUND quote="say \\"hi\\" \\\\ bye" empty=""');
  });
});

describe('a procedure path holding a newline at LOG_LEVEL=debug', () => {
  let server: TestServer;
  const { lines, log } = capture();
  beforeAll(async () => {
    server = await startTestServer({ logLevel: 'debug' }, { log });
  });
  afterAll(async () => {
    await server.stop();
  });

  test('is logged on one line, escaped, and forges no line', async () => {
    const socket = await server.open();
    const reply = await socket.call('query', `no.such.path${FORGED}`);
    expect(reply.error).toBeDefined();
    const refused = lines.filter((line) => line.includes('no.such.path'));
    expect(refused.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(lines.some((line) => /^\S+ INFO {2}login ok/.test(line))).toBe(false);
    await socket.close();
  });
});
