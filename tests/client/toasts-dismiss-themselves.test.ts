import { describe, expect, test } from 'bun:test';
import { createRoot } from 'solid-js';
import { createToastStore } from '../../client/state/toasts';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('createToastStore', () => {
  test('show adds a toast with an id, kind and message', () => {
    const [toasts, { show }] = createRoot(() => createToastStore({ durationMs: 0 }));
    const id = show('success', 'Saved');
    expect(toasts).toEqual([{ id, kind: 'success', message: 'Saved' }]);
  });

  test('a toast goes away by itself after its duration', async () => {
    const [toasts, { show }] = createRoot(() => createToastStore({ durationMs: 20 }));
    show('info', 'Soon gone');
    expect(toasts).toHaveLength(1);
    await tick(40);
    expect(toasts).toHaveLength(0);
  });

  test('a duration of 0 keeps the toast until dismissed', async () => {
    const [toasts, { show, dismiss }] = createRoot(() => createToastStore({ durationMs: 20 }));
    const id = show('error', 'Sticky', { durationMs: 0 });
    await tick(40);
    expect(toasts).toHaveLength(1);
    dismiss(id);
    expect(toasts).toHaveLength(0);
  });

  test('dismiss removes only the toast it names', () => {
    const [toasts, { show, dismiss }] = createRoot(() => createToastStore({ durationMs: 0 }));
    const first = show('info', 'one');
    show('info', 'two');
    dismiss(first);
    expect(toasts.map((t) => t.message)).toEqual(['two']);
  });

  test('the oldest toasts make room beyond the maximum', () => {
    const [toasts, { show }] = createRoot(() => createToastStore({ durationMs: 0, max: 2 }));
    show('info', 'one');
    show('info', 'two');
    show('info', 'three');
    expect(toasts.map((t) => t.message)).toEqual(['two', 'three']);
  });

  test('clear removes every toast and its timer', async () => {
    const [toasts, { show, clear }] = createRoot(() => createToastStore({ durationMs: 20 }));
    show('info', 'one');
    show('warning', 'two');
    clear();
    expect(toasts).toHaveLength(0);
    show('info', 'three');
    await tick(5);
    expect(toasts.map((t) => t.message)).toEqual(['three']);
  });
});
