import { createSignal } from 'solid-js';
import { readErrorEnvelope, useToasts } from '../state';
import { useAdminMessages } from './admin-messages';

/** The server's words for a refusal: its field errors (a taken email), else its message. */
function refusalText(error: unknown, fallback: string): string {
  const fields = readErrorEnvelope(error)?.fieldErrors ?? [];
  if (fields.length > 0) return fields.map((f) => f.message).join(' ');
  return error instanceof Error && error.message ? error.message : fallback;
}

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
  const t = useAdminMessages();
  const [busy, setBusy] = createSignal<string | null>(null);
  async function run(key: string, call: () => Promise<unknown>, done: string): Promise<boolean> {
    setBusy(key);
    try {
      await call();
      toasts.show('success', done);
      return true;
    } catch (error) {
      toasts.show('error', refusalText(error, t().failed));
      return false;
    } finally {
      setBusy(null);
    }
  }
  return { busy, run };
}
