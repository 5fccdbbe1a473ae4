import { GlobalRegistrator } from '@happy-dom/global-registrator';
import { solidPlugin } from '../../client/solid-plugin';

/**
 * Bun's own networking classes, kept before happy-dom replaces the globals.
 * Code that must speak to Bun itself (a client socket to a real server) takes
 * them from here. A server started inside this process would build its
 * responses with happy-dom's `Response`, which Bun does not serve as such:
 * start real servers in a subprocess instead.
 */
export interface NativeGlobals {
  WebSocket: typeof WebSocket;
  fetch: typeof fetch;
  Request: typeof Request;
  Response: typeof Response;
  Headers: typeof Headers;
}

declare global {
  /** Set by the DOM test preload: talk to a real server from a DOM test. */
  var __native: NativeGlobals;
}

globalThis.__native = {
  WebSocket: globalThis.WebSocket,
  fetch: globalThis.fetch,
  Request: globalThis.Request,
  Response: globalThis.Response,
  Headers: globalThis.Headers,
};

GlobalRegistrator.register({ url: 'http://localhost:3000/' });

// Solid components need Solid's JSX transform, not Bun's React-style one.
Bun.plugin(solidPlugin());
