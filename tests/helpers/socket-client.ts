/**
 * A lean tRPC v11 WebSocket client speaking JSON-RPC by hand: tests see every
 * frame that crosses the socket (to prove no token travels in one).
 */
export interface RpcReply {
  id: number;
  result?: { type: string; data?: unknown };
  error?: { code: number; message: string; data: { code: string; httpStatus?: number; statehouse?: any; [k: string]: unknown } };
}

export interface OpenOptions {
  cookie?: string;
  origin?: string | null;
  tabId?: string;
  path?: string;
  query?: string;
  /** The connection params' `languages` (the browser's `navigator.languages`, comma-separated). */
  languages?: unknown;
  /** More upgrade request headers (e.g. `accept-language`). */
  headers?: Record<string, string>;
}

export class TestSocket {
  readonly frames: string[] = [];
  readonly sent: string[] = [];
  readonly pushes: any[] = [];
  closeCode: number | null = null;
  // Far above the ids a fuzzer generates, so replies never cross.
  private nextId = 2 ** 40;
  private readonly pending = new Map<number, (reply: RpcReply) => void>();
  private pushWaiters: (() => void)[] = [];
  private closedWaiters: (() => void)[] = [];
  private stateId: number | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.addEventListener('message', (ev) => {
      const text = String(ev.data);
      this.frames.push(text);
      if (text === 'PING' || text === 'PONG') return;
      const msg = JSON.parse(text) as RpcReply;
      if (msg.id === this.stateId && msg.result?.type === 'data') {
        this.pushes.push(msg.result.data);
        for (const w of this.pushWaiters.splice(0)) w();
        return;
      }
      if (msg.result?.type === 'started' || msg.result?.type === 'stopped') return;
      const resolve = this.pending.get(msg.id);
      if (resolve) {
        this.pending.delete(msg.id);
        resolve(msg);
      }
    });
    ws.addEventListener('close', (ev) => {
      this.closeCode = ev.code;
      for (const w of this.closedWaiters.splice(0)) w();
    });
  }

  /** Opens a socket; rejects with the HTTP status when the upgrade is refused. */
  static open(baseUrl: string, options: OpenOptions = {}): Promise<TestSocket> {
    const http = new URL(baseUrl);
    const url = `ws://${http.host}/trpc?connectionParams=1`;
    const headers: Record<string, string> = { ...options.headers };
    if (options.origin !== null) headers.origin = options.origin ?? http.origin;
    if (options.cookie) headers.cookie = options.cookie;
    const ws = new WebSocket(url, { headers } as unknown as string[]);
    const socket = new TestSocket(ws);
    return new Promise((resolve, reject) => {
      ws.addEventListener('open', () => {
        socket.send({
          method: 'connectionParams',
          data: {
            tabId: options.tabId ?? `tab-${crypto.randomUUID()}`,
            path: options.path ?? '/',
            query: options.query ?? '',
            ...(options.languages === undefined ? {} : { languages: options.languages }),
          },
        });
        resolve(socket);
      });
      ws.addEventListener('error', () => reject(new Error('upgrade refused')));
    });
  }

  send(message: unknown): void {
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    this.sent.push(text);
    this.ws.send(text);
  }

  /** One call; resolves with the raw reply (result or error). */
  call(method: 'query' | 'mutation', path: string, input?: unknown): Promise<RpcReply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.send({ id, jsonrpc: '2.0', method, params: { path, input } });
    });
  }

  /** Several calls in one frame; resolves with their replies in the calls' order. */
  batch(calls: { method: 'query' | 'mutation'; path: string; input?: unknown }[]): Promise<RpcReply[]> {
    const messages = calls.map(({ method, path, input }) => ({ id: this.nextId++, jsonrpc: '2.0', method, params: { path, input } }));
    const replies = messages.map((m) => new Promise<RpcReply>((resolve) => this.pending.set(m.id, resolve)));
    this.send(messages);
    return Promise.all(replies);
  }

  /** Calls and returns the envelope `{ data, delta, actions }`, throwing on an error reply. */
  async ok(method: 'query' | 'mutation', path: string, input?: unknown): Promise<{ data: any; delta: any; actions: any[] }> {
    const reply = await this.call(method, path, input);
    if (reply.error) throw new Error(`${path} failed: ${reply.error.data.code} ${reply.error.message}`);
    return reply.result!.data as { data: any; delta: any; actions: any[] };
  }

  /** Starts the `statehouse.state` subscription and waits for the full snapshot. */
  async subscribeState(): Promise<any> {
    this.stateId = this.nextId++;
    this.send({ id: this.stateId, jsonrpc: '2.0', method: 'subscription', params: { path: 'statehouse.state' } });
    await this.waitForPushes(1);
    return this.pushes[0];
  }

  async waitForPushes(count: number, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.pushes.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} pushes, got ${this.pushes.length}`);
      await new Promise<void>((resolve) => {
        this.pushWaiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.closedWaiters.push(resolve);
      this.ws.close();
    });
  }

  waitClosed(timeoutMs = 3000): Promise<number | null> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve(this.closeCode);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), timeoutMs);
      this.closedWaiters.push(() => {
        clearTimeout(timer);
        resolve(this.closeCode);
      });
    });
  }
}

/** Tries a WebSocket upgrade with plain fetch to read the refusal status. */
export async function upgradeStatus(baseUrl: string, headers: Record<string, string>): Promise<number> {
  const res = await fetch(`${baseUrl}/trpc`, {
    headers: {
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': btoa('0123456789abcdef'),
      ...headers,
    },
  });
  return res.status;
}
