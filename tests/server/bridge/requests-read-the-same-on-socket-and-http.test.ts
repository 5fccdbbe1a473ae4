import { afterEach, describe, expect, test } from 'bun:test';
import { Elysia } from 'elysia';
import { createAppRouter, identity, publicProcedure, router, siteProcessor, type EventRequest, type Runtime } from '../../../server';
import { startTestServer, type TestServer } from '../../helpers/server';

/** What a handler reads of its request, on either transport. */
async function readRequest(request: EventRequest) {
  const before = request.context;
  return {
    path: request.path,
    query: request.query.toString(),
    cookies: request.cookies,
    acceptLanguage: request.headers.get('accept-language'),
    languageCode: request.languageCode,
    language: await request.language(),
    contextBefore: before,
    context: await request.loadContext(),
  };
}

const probe = router({ request: publicProcedure.query(({ ctx }) => readRequest(ctx.request)) });
const api = (runtime: Runtime) =>
  new Elysia({ name: 'request-probe' }).use(identity(runtime)).get('/notes', ({ request }) => readRequest(request));

let server: TestServer;
afterEach(async () => {
  await server.stop();
});

describe('ctx.request and the HTTP request are one implementation', () => {
  test.each([
    ['a language cookie', 'statehouse_language=ar; theme=dark', 'en'],
    ['Accept-Language only', 'theme=dark', 'ar, en;q=0.5'],
    ['no cookie, an unknown language', '', 'fr'],
  ])('%s: both read the same path, query, cookies, language and context', async (_name, cookie, acceptLanguage) => {
    server = await startTestServer(
      { languages: ['en', 'ar'], contextProcessors: [siteProcessor] },
      { router: createAppRouter({ probe }), http: api },
    );
    const headers = { ...(cookie ? { cookie } : {}), 'accept-language': acceptLanguage };
    const ws = await server.open({
      cookie: cookie || undefined,
      path: '/notes',
      query: '?q=1',
      headers: { 'accept-language': acceptLanguage },
    });
    const overSocket = ((await ws.ok('query', 'probe.request')) as { data: Record<string, unknown> }).data;
    await ws.close();
    const overHttp = (await (await fetch(`${server.url}/notes?q=1`, { headers })).json()) as Record<string, unknown>;
    expect(overHttp).toEqual(overSocket);
    expect(overSocket.context).toMatchObject({ SITE_NAME: expect.any(String) });
  });
});
