/** The most an auth endpoint reads of a request body (a ticket is a few dozen bytes). */
export const AUTH_BODY_LIMIT_BYTES = 1024;

/** A body read up to a limit: its text, or `tooLarge` when it declared or sent more. */
export type LimitedBody = { ok: true; text: string } | { ok: false; tooLarge: true };

const TOO_LARGE: LimitedBody = { ok: false, tooLarge: true };

/**
 * Reads a request body as text, at most `limit` bytes. A `Content-Length`
 * over the limit is refused before a byte is read; a body without one
 * (chunked) is read chunk by chunk and the stream cancelled as soon as it
 * passes the limit, so an oversized upload never sits in memory.
 *
 * @example
 * const body = await readBodyWithin(request, AUTH_BODY_LIMIT_BYTES);
 * if (!body.ok) return new Response(null, { status: 413, headers: { connection: 'close' } });
 */
export async function readBodyWithin(request: Request, limit: number): Promise<LimitedBody> {
  const declared = request.headers.get('content-length');
  if (declared !== null && !(Number(declared) <= limit)) return TOO_LARGE;
  if (!request.body) return { ok: true, text: '' };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return TOO_LARGE;
    }
    chunks.push(value);
  }
  return { ok: true, text: new TextDecoder().decode(Buffer.concat(chunks)) };
}
