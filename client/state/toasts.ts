import { createStore, produce } from 'solid-js/store';
import type { ToastKind } from '../../server/shared';

/** One notification on screen. `message` is plain text, never markup. */
export interface Toast {
  readonly id: string;
  readonly kind: ToastKind;
  readonly message: string;
}

export interface ShowToastOptions {
  /** Milliseconds before it goes away by itself; `0` keeps it until dismissed. */
  durationMs?: number;
}

export interface ToastActions {
  /** Adds a toast and returns its id. */
  show(kind: ToastKind, message: string, options?: ShowToastOptions): string;
  dismiss(id: string): void;
  /** Removes every toast and cancels their timers. */
  clear(): void;
}

export interface ToastStoreOptions {
  /** @default 5000 */
  durationMs?: number;
  /** The oldest toasts make room beyond this many. @default 5 */
  max?: number;
}

/** How long a toast stays when nobody dismisses it. */
export const DEFAULT_TOAST_DURATION_MS = 5_000;
const DEFAULT_MAX_TOASTS = 5;

/**
 * The list of toasts the `toast` client action fills and `<Toaster>` shows.
 *
 * @example
 * const [toasts, { show, dismiss }] = createToastStore({ durationMs: 3000 });
 * const id = show('success', 'Saved');
 * toasts.length; // 1, until 3 s pass or dismiss(id)
 */
export function createToastStore(options: ToastStoreOptions = {}): [readonly Toast[], ToastActions] {
  const { durationMs: defaultDurationMs = DEFAULT_TOAST_DURATION_MS, max = DEFAULT_MAX_TOASTS } = options;
  const [toasts, setToasts] = createStore<Toast[]>([]);
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  let counter = 0;

  function dismiss(id: string): void {
    const timer = timers.get(id);
    if (timer !== undefined) clearTimeout(timer);
    timers.delete(id);
    setToasts((list) => list.filter((toast) => toast.id !== id));
  }

  function show(kind: ToastKind, message: string, showOptions: ShowToastOptions = {}): string {
    const id = `toast-${++counter}`;
    const durationMs = showOptions.durationMs ?? defaultDurationMs;
    setToasts(produce((list) => void list.push({ id, kind, message: String(message) })));
    if (durationMs > 0)
      timers.set(
        id,
        setTimeout(() => dismiss(id), durationMs),
      );
    while (toasts.length > max) {
      const oldest = toasts[0];
      if (!oldest) break;
      dismiss(oldest.id);
    }
    return id;
  }

  function clear(): void {
    for (const timer of timers.values()) clearTimeout(timer);
    timers.clear();
    setToasts([]);
  }

  return [toasts, { show, dismiss, clear }];
}
