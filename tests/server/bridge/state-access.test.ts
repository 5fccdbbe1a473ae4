import { describe, expect, test } from 'bun:test';
import { Connection } from '../../../server/bridge/connection';
import { defineSlice, type SliceDefinition } from '../../../server/state/slices';
import { StateAccess } from '../../../server/state/state-access';

const prefs = defineSlice('prefs', { theme: 'light', fontSize: 14 });

function tab(): { conn: Connection; state: StateAccess; registry: Map<string, SliceDefinition> } {
  const conn = new Connection({
    headers: new Headers(),
    ip: '127.0.0.1',
    secure: false,
    origin: 'http://localhost',
    messageBurst: 10,
    messagesPerSecond: 10,
  });
  const registry = new Map<string, SliceDefinition>();
  return { conn, state: new StateAccess(conn, registry), registry };
}

describe('ctx.state', () => {
  test('a slice first used by a handler joins the registry and starts from its initial values', () => {
    const { state, registry } = tab();
    expect(state.get(prefs)).toEqual({ theme: 'light', fontSize: 14 });
    expect(registry.get('prefs')).toBe(prefs);
  });

  test('only changed fields are collected, and the marks are cleared', () => {
    const { state } = tab();
    state.set(prefs, { theme: 'dark', fontSize: 14 });
    expect(state.collect()).toEqual({ prefs: { theme: 'dark' } });
    expect(state.collect()).toEqual({});
  });

  test('a field set several times is compared with its value before the event; fields of two slices with one name stay apart', () => {
    const { state } = tab();
    const layout = defineSlice('layout', { theme: 'wide', fontSize: 14 });
    state.set(prefs, { theme: 'dark' });
    state.set(prefs, { theme: 'light' }); // back where it started: no change
    state.set(layout, { theme: 'narrow' });
    state.update(prefs, (current) => ({ fontSize: current.fontSize + 1 }));
    state.set(prefs, { fontSize: 16 });
    state.reset(layout);
    expect(state.collect()).toEqual({ prefs: { fontSize: 16 } });
  });

  test('a patch built from untrusted keys cannot reach the prototype or add fields', () => {
    const { conn, state } = tab();
    const patch = JSON.parse('{"__proto__": {"polluted": true}, "constructor": "x", "toString": "y", "extra": 1, "theme": "dark"}');
    state.set(prefs, patch);
    const values = conn.slices.get('prefs')!;
    expect(Object.getPrototypeOf(values)).toBe(Object.prototype);
    expect(Object.keys(values).sort()).toEqual(['fontSize', 'theme']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(state.collect()).toEqual({ prefs: { theme: 'dark' } });
  });
});
