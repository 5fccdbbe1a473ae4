import { Show, splitProps, type JSX } from 'solid-js';

/** What every form field of the canned pages is given; a replacement `Field` must honour `id` and the ids below. */
export interface FieldProps {
  /** The input's id; its label's `for`. The error text is `${id}-error`, the hint `${id}-hint`. */
  id: string;
  /** The form field name, also the key of server field errors. */
  name: string;
  /** The visible label: the field's accessible name. */
  label: string;
  /** @default 'text' */
  type?: 'text' | 'email' | 'password';
  autocomplete?: string;
  value: string;
  onInput: (value: string) => void;
  /** The error text shown under the input; the input is then `aria-invalid`. */
  error?: string | undefined;
  /** Help text under the input, also tied to it with `aria-describedby`. */
  hint?: string | undefined;
  /** Marked `aria-required`; the form checks it itself (no browser bubbles). */
  required?: boolean;
  autofocus?: boolean;
  /** Receives the input element. */
  ref?: (element: HTMLInputElement) => void;
}

/** The ids `aria-describedby` of a field lists: its hint and its error, when shown. */
export function describedByOf(props: Pick<FieldProps, 'id' | 'hint' | 'error'>): string | undefined {
  const ids = [props.hint ? `${props.id}-hint` : '', props.error ? `${props.id}-error` : ''].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

/**
 * A labelled input of the canned pages: a real `<label for>`, its error
 * text tied to the input with `aria-describedby` and `aria-invalid`.
 * Pass your own as `components.Field` to restyle every form.
 *
 * @example
 * <Field id="login-password" name="password" label="Password" type="password"
 *        value={password()} onInput={setPassword} error={errors().password} />
 */
export function Field(props: FieldProps): JSX.Element {
  const [local] = splitProps(props, ['id', 'label', 'error', 'hint']);
  return (
    <div class="sh-field" classList={{ 'sh-field-invalid': Boolean(local.error) }}>
      <label class="sh-label" for={local.id}>
        {local.label}
      </label>
      <input
        ref={(element) => props.ref?.(element)}
        class="sh-input"
        id={local.id}
        name={props.name}
        type={props.type ?? 'text'}
        autocomplete={props.autocomplete}
        value={props.value}
        onInput={(event) => props.onInput(event.currentTarget.value)}
        aria-invalid={local.error ? 'true' : undefined}
        aria-required={props.required ? 'true' : undefined}
        aria-describedby={describedByOf(local)}
        autofocus={props.autofocus}
        dir="auto"
      />
      <Show when={local.hint}>
        <p class="sh-hint" id={`${local.id}-hint`}>
          {local.hint}
        </p>
      </Show>
      <Show when={local.error}>
        <p class="sh-field-error" id={`${local.id}-error`}>
          {local.error}
        </p>
      </Show>
    </div>
  );
}
