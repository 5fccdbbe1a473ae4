import { GlobalRegistrator } from '@happy-dom/global-registrator';
import { solidPlugin } from '../../client/solid-plugin';

/** Bun's own networking classes, kept before happy-dom replaces the globals. */
export interface NativeGlobals {
  WebSocket: typeof WebSocket;
  fetch: typeof fetch;
  Request: typeof Request;
  Response: typeof Response;
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
};

GlobalRegistrator.register({ url: 'http://localhost:3000/' });

// Solid components need Solid's JSX transform, not Bun's React-style one.
Bun.plugin(solidPlugin());
