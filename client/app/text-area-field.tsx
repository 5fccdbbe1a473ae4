import { Show, type JSX } from 'solid-js';
import { describedByOf } from '../auth';

export interface TextAreaFieldProps {
  id: string;
  name: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  error?: string | undefined;
  rows?: number;
}

/** A labelled multi-line field, styled and wired like the auth pages' `Field`. */
export function TextAreaField(props: TextAreaFieldProps): JSX.Element {
  return (
    <div class="sh-field" classList={{ 'sh-field-invalid': Boolean(props.error) }}>
      <label class="sh-label" for={props.id}>
        {props.label}
      </label>
      <textarea
        class="sh-input sh-textarea"
        id={props.id}
        name={props.name}
        rows={props.rows ?? 4}
        value={props.value}
        onInput={(event) => props.onInput(event.currentTarget.value)}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedByOf(props)}
        dir="auto"
      />
      <Show when={props.error}>
        <p class="sh-field-error" id={`${props.id}-error`}>
          {props.error}
        </p>
      </Show>
    </div>
  );
}
