import type { JSX } from 'solid-js';

export interface FormAlertProps {
  /** The form-level error, or `null` when there is none. */
  message: string | null;
  /** Receives the region, so a failed submit can move focus to it. */
  ref?: (element: HTMLElement) => void;
}

/**
 * The form-level error of a canned page (a refused login, too many
 * attempts) in an `role="alert"` region. The region is always in the page,
 * so screen readers announce the text the moment it appears.
 *
 * @example
 * <FormAlert message={formError()} ref={(el) => (alert = el)} />
 */
export function FormAlert(props: FormAlertProps): JSX.Element {
  return (
    <div
      ref={(element) => props.ref?.(element)}
      class="sh-alert"
      classList={{ 'sh-alert-shown': Boolean(props.message) }}
      role="alert"
      tabindex="-1"
    >
      {props.message ?? ''}
    </div>
  );
}

export interface SubmitButtonProps {
  /** The button's text at rest, e.g. "Sign in". */
  label: string;
  /** The text while the call is in flight, e.g. "Signing in…". */
  busyLabel: string;
  busy: boolean;
}

/**
 * The submit button of a canned form: disabled and `aria-busy` while the
 * call is in flight, its text saying so.
 *
 * @example
 * <SubmitButton label="Sign in" busyLabel="Signing in…" busy={form.busy()} />
 */
export function SubmitButton(props: SubmitButtonProps): JSX.Element {
  return (
    <button type="submit" class="sh-button sh-button-primary" disabled={props.busy} aria-busy={props.busy ? 'true' : 'false'}>
      <span class="sh-button-spinner" aria-hidden="true" hidden={!props.busy} />
      {props.busy ? props.busyLabel : props.label}
    </button>
  );
}
