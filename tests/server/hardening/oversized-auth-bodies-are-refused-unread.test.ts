import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { LOGOUT_COOKIE_ENDPOINT, SESSION_COOKIE_ENDPOINT } from '../../../server/state/protocol';
import { chunkedUpload, rawRequest } from '../../helpers/raw-http';
import { startTestServer, type TestServer } from '../../helpers/server';

let server: TestServer;
let port: number;
let host: string;
beforeAll(async () => {
  server = await startTestServer();
  host = new URL(server.url).host;
  port = Number(new URL(server.url).port);
});
afterAll(async () => {
  await server.stop();
});

/** What a body may hold before the server stops reading: the kernel's socket buffers, never the whole upload. */
const BUFFERED_AT_MOST = 16 * 1024 * 1024;

function head(path: string, extra: string): string {
  return `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://${host}\r\nContent-Type: application/json\r\n${extra}\r\n`;
}

describe.each([SESSION_COOKIE_ENDPOINT, LOGOUT_COOKIE_ENDPOINT])('%s', (path) => {
  test('answers 413 from a Content-Length over the limit, without waiting for the body', async () => {
    const { status } = await rawRequest(port, head(path, 'Content-Length: 104857600\r\n'));
    expect(status).toBe(413);
  });

  test('stops reading a chunked body once it passes the limit and answers 413', async () => {
    const upload = await chunkedUpload(port, head(path, 'Transfer-Encoding: chunked\r\n'));
    expect(upload.status).toBe(413);
    expect(upload.bytesSent).toBeLessThan(BUFFERED_AT_MOST);
  });

  test('a small chunked body is read as usual', async () => {
    const { status } = await rawRequest(port, `${head(path, 'Transfer-Encoding: chunked\r\nConnection: close\r\n')}2\r\n{}\r\n0\r\n\r\n`);
    // The exchange wants a ticket (400); logout has nothing to end (204).
    expect(status).toBe(path === SESSION_COOKIE_ENDPOINT ? 400 : 204);
  });
});
