import type { ServerWebSocket } from 'bun';
import type { WebSocket as WsWebSocket } from 'ws';

type Listener = (...args: unknown[]) => void;

/**
 * The slice of the `ws` package's socket that tRPC's `getWSConnectionHandler`
 * uses, over Bun's native `ServerWebSocket`. Bun pushes events in through
 * `emitMessage` / `emitClose`; tRPC subscribes with `on` / `once`.
 */
export class BunSocketShim {
  private readonly listeners = new Map<string, Listener[]>();

  constructor(private readonly ws: ServerWebSocket<unknown>) {}

  get readyState(): number {
    return this.ws.readyState;
  }

  on(event: string, listener: Listener): this {
    const list = this.listeners.get(event);
    if (list) list.push(listener);
    else this.listeners.set(event, [listener]);
    return this;
  }

  once(event: string, listener: Listener): this {
    const wrapped: Listener = (...args) => {
      this.off(event, wrapped);
      listener(...args);
    };
    return this.on(event, wrapped);
  }

  off(event: string, listener: Listener): this {
    const list = this.listeners.get(event);
    if (list) this.listeners.set(event, list.filter((l) => l !== listener));
    return this;
  }

  send(data: string | Uint8Array): void {
    this.ws.send(data);
  }

  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }

  terminate(): void {
    this.ws.terminate();
  }

  emitMessage(message: string | Buffer): void {
    const isBinary = typeof message !== 'string';
    const data = isBinary ? message : Buffer.from(message);
    this.emit('message', data, isBinary);
  }

  emitClose(code: number, reason: string): void {
    this.emit('close', code, reason);
    this.listeners.clear();
  }

  private emit(event: string, ...args: unknown[]): void {
    const list = this.listeners.get(event);
    if (!list) return;
    for (const listener of [...list]) listener(...args);
  }

  /** The type tRPC's handler expects; the shim implements what it uses. */
  asWs(): WsWebSocket {
    return this as unknown as WsWebSocket;
  }
}
