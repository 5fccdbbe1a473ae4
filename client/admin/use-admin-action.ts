import { createSignal } from 'solid-js';
import { useToasts } from '../state';

/**
 * Runs one admin change at a time: `busy()` names the running one, success
 * shows `done` as a toast, a refusal its message (the server's words, e.g.
 * a lock-out refusal).
 */
export function useAdminAction(): {
  busy: () => string | null;
  run: (key: string, call: () => Promise<unknown>, done: string) => Promise<boolean>;
} {
  const [, toasts] = useToasts();
  const [busy, setBusy] = createSignal<string | null>(null);
  async function run(key: string, call: () => Promise<unknown>, done: string): Promise<boolean> {
    setBusy(key);
    try {
      await call();
      toasts.show('success', done);
      return true;
    } catch (error) {
      toasts.show('error', error instanceof Error && error.message ? error.message : 'That did not work. Please try again.');
      return false;
    } finally {
      setBusy(null);
    }
  }
  return { busy, run };
}
