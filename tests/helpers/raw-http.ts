import { connect, type Socket } from 'node:net';

/** What came back on a raw connection: the status line's code (0: none before the wait ended) and the whole text. */
export interface RawResponse {
  status: number;
  text: string;
}

function statusOf(text: string): number {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  return match ? Number(match[1]) : 0;
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * Sends `text` as is on a fresh TCP connection and collects the answer until
 * the server closes the connection, the whole response is in, or `waitMs`
 * passes. For requests `fetch` refuses to send (a `Host` with a space, a bad
 * escape in the path, a lying `Content-Length`).
 *
 * @example
 * const { status } = await rawRequest(port, 'GET /% HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
 */
export async function rawRequest(port: number, text: string, waitMs = 5_000): Promise<RawResponse> {
  const socket = await open(port);
  let received = '';
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: statusOf(received), text: received });
    };
    const timer = setTimeout(done, waitMs);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: *(\d+)/i.exec(received.slice(0, end));
      // A switch of protocols (101) has no body: the upgraded connection stays open.
      if (end >= 0 && statusOf(received) === 101) done();
      else if (end >= 0 && length && received.length - end - 4 >= Number(length[1])) done();
    });
    socket.on('close', done);
    socket.on('error', done);
    socket.write(text, 'latin1');
  });
}

/** How far a chunked upload got before the server answered. */
export interface ChunkedUpload extends RawResponse {
  /** Body bytes the client handed to the connection before it stopped. */
  bytesSent: number;
}

/**
 * Sends `head` (request line and headers, ending in `Transfer-Encoding:
 * chunked` and a blank line), then body chunks of `chunkBytes` for as long as
 * the server takes them, up to `maxBytes`: stops as soon as an answer arrives
 * or the connection ends, and reports how many body bytes went out.
 */
export async function chunkedUpload(
  port: number,
  head: string,
  { chunkBytes = 64 * 1024, maxBytes = 256 * 1024 * 1024 } = {},
): Promise<ChunkedUpload> {
  const socket = await open(port);
  const chunk = Buffer.concat([Buffer.from(`${chunkBytes.toString(16)}\r\n`), Buffer.alloc(chunkBytes, 0x61), Buffer.from('\r\n')]);
  let received = '';
  let ended = false;
  let bytesSent = 0;
  let wake: (() => void) | null = null;
  let answered!: () => void;
  const answer = new Promise<void>((resolve) => (answered = resolve));
  const stop = () => {
    ended = true;
    wake?.();
    answered();
  };
  socket.on('data', (data) => {
    received += data.toString('latin1');
    stop();
  });
  socket.on('close', stop);
  socket.on('error', stop);
  socket.on('drain', () => wake?.());
  socket.write(head, 'latin1');
  while (!ended && bytesSent < maxBytes) {
    bytesSent += chunkBytes;
    if (!socket.write(chunk)) await new Promise<void>((resolve) => (wake = resolve));
    wake = null;
  }
  if (!ended) socket.write('0\r\n\r\n');
  // Sent in full: the answer may still be on its way.
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([answer, new Promise<void>((resolve) => (timer = setTimeout(resolve, 10_000)))]);
  clearTimeout(timer);
  socket.destroy();
  return { status: statusOf(received), text: received, bytesSent };
}
