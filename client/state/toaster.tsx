import { For, type JSX } from 'solid-js';
import { useToasts } from './context';

export interface ToasterProps {
  /** @default 'statehouse-toaster' */
  class?: string;
  /** The region's accessible name. @default 'Notifications' */
  label?: string;
  /** The accessible name of each dismiss button. @default 'Dismiss notification' */
  dismissLabel?: string;
}

/**
 * Shows the toasts of the nearest `<StateProvider>` in a polite live region,
 * each with a dismiss button. Messages are rendered as text, never as HTML.
 *
 * @example
 * <StateProvider client={client}>
 *   <Toaster />
 *   <App />
 * </StateProvider>
 */
export function Toaster(props: ToasterProps): JSX.Element {
  const [toasts, { dismiss }] = useToasts();
  return (
    <section
      class={props.class ?? 'statehouse-toaster'}
      aria-label={props.label ?? 'Notifications'}
      aria-live="polite"
      aria-relevant="additions text"
    >
      <For each={toasts}>
        {(toast) => (
          <div class="statehouse-toast" data-kind={toast.kind} data-toast-id={toast.id}>
            <p class="statehouse-toast-message">{toast.message}</p>
            <button
              type="button"
              class="statehouse-toast-dismiss"
              aria-label={props.dismissLabel ?? 'Dismiss notification'}
              onClick={() => dismiss(toast.id)}
            >
              <span aria-hidden="true">×</span>
            </button>
          </div>
        )}
      </For>
    </section>
  );
}
