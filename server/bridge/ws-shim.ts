import type { ServerWebSocket } from 'bun';
import type { WebSocket as WsWebSocket } from 'ws';

type Listener = (...args: unknown[]) => void;

/**
 * A text frame handed to tRPC as the `Buffer` its handler insists on
 * (`Buffer.isBuffer`), though all it does with a text frame is `toString()`
 * (with no encoding or `utf8`): the string goes through as is, without
 * encoding it to UTF-8 bytes and decoding it back twice per message.
 */
class TextFrame {
  constructor(private readonly text: string) {}

  toString(): string {
    return this.text;
  }
}
Object.setPrototypeOf(TextFrame.prototype, Buffer.prototype);

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
    // Copy on write: `emit` iterates the array it read, never a mutated one.
    const list = this.listeners.get(event);
    this.listeners.set(event, list ? [...list, listener] : [listener]);
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
    if (typeof message === 'string') this.emit('message', new TextFrame(message), false);
    else this.emit('message', message, true);
  }

  emitClose(code: number, reason: string): void {
    this.emit('close', code, reason);
    this.listeners.clear();
  }

  private emit(event: string, ...args: unknown[]): void {
    const list = this.listeners.get(event);
    if (!list) return;
    for (let i = 0; i < list.length; i++) list[i]!(...args);
  }

  /** The type tRPC's handler expects; the shim implements what it uses. */
  asWs(): WsWebSocket {
    return this as unknown as WsWebSocket;
  }
}
