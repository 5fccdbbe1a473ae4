import { batch, createSignal, onCleanup, type Accessor } from 'solid-js';
import type { AuthMessages } from './messages';
import { describeFailure } from './failure';

/** How long a form stays busy after a call that navigates away, in case the navigation never happens. */
const NAVIGATION_GRACE_MS = 8_000;

export interface SubmitOptions {
  /** Checks the fields before any call; answers field → error text. */
  validate?: () => Record<string, string>;
  /** The call. Answer `'navigates'` when success leaves the page: the form then stays busy. */
  // biome-ignore lint/suspicious/noConfusingVoidType: an async call that answers nothing is Promise<void>; 'navigates' is the one answer that matters
  run: () => Promise<void | 'navigates'>;
  /** Server field name → form field name, for field errors. */
  fields?: Readonly<Record<string, string>>;
  /** Runs after a successful call. */
  onSuccess?: () => void;
}

/** What {@link FormState.bind} gives a `<Field>`. */
export interface BoundField {
  readonly name: string;
  readonly value: string;
  readonly error: string | undefined;
  onInput(value: string): void;
}

export interface FormState {
  busy: Accessor<boolean>;
  formError: Accessor<string | null>;
  /** The error text of one field, if any. */
  fieldError(name: string): string | undefined;
  /** Clears one field's error (as the user edits it). */
  clearFieldError(name: string): void;
  /**
   * A `<Field>`'s `name`, `value`, `onInput` and `error` for a field held in
   * one signal: typing sets the signal and clears the field's error.
   */
  bind(name: string, value: Accessor<string>, setValue: (value: string) => unknown): BoundField;
  /** Sets a form-level error by hand (and moves focus to it). */
  fail(message: string): void;
  /** Give it the `<form>`: focus goes to its first invalid input after a failed submit. */
  formRef(element: HTMLFormElement): void;
  /** Give it the alert region: focus goes there when only the form has an error. */
  alertRef(element: HTMLElement): void;
  submit(options: SubmitOptions): Promise<void>;
}

/**
 * The state of one canned form: busy while its call is in flight (a second
 * submit is ignored), field and form errors from local checks or the
 * server, and focus moved to the first error after a failed submit.
 *
 * @example
 * const form = createFormState(t);
 * const onSubmit = (e: SubmitEvent) => { e.preventDefault(); void form.submit({ validate, run: () => trpc.auth.login.mutate(input()) }); };
 */
export function createFormState(t: Accessor<AuthMessages>): FormState {
  const [busy, setBusy] = createSignal(false);
  const [formError, setFormError] = createSignal<string | null>(null);
  const [fieldErrors, setFieldErrors] = createSignal<Record<string, string>>({});
  let form: HTMLFormElement | undefined;
  let alert: HTMLElement | undefined;
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(graceTimer));

  function focusFirstError(): void {
    const invalid = form?.querySelector<HTMLElement>('[aria-invalid="true"]');
    if (invalid) invalid.focus();
    else alert?.focus();
  }

  function show(formMessage: string | null, fields: Record<string, string>): void {
    batch(() => {
      setFormError(formMessage);
      setFieldErrors(fields);
    });
    focusFirstError();
  }

  async function submit(options: SubmitOptions): Promise<void> {
    if (busy()) return;
    const local = options.validate?.() ?? {};
    if (Object.keys(local).length > 0) return show(null, local);
    batch(() => {
      setBusy(true);
      setFormError(null);
      setFieldErrors({});
    });
    try {
      const outcome = await options.run();
      options.onSuccess?.();
      if (outcome === 'navigates') {
        graceTimer = setTimeout(() => setBusy(false), NAVIGATION_GRACE_MS);
        return;
      }
      setBusy(false);
    } catch (error) {
      setBusy(false);
      const failure = describeFailure(error, t(), options.fields);
      show(failure.formError, failure.fieldErrors);
    }
  }

  const state: FormState = {
    busy,
    formError,
    fieldError: (name) => fieldErrors()[name],
    clearFieldError(name) {
      if (fieldErrors()[name] === undefined) return;
      const { [name]: _removed, ...rest } = fieldErrors();
      setFieldErrors(rest);
    },
    bind(name, value, setValue) {
      return {
        name,
        get value() {
          return value();
        },
        get error() {
          return fieldErrors()[name];
        },
        onInput: (next: string) => {
          setValue(next);
          state.clearFieldError(name);
        },
      };
    },
    fail: (message) => show(message, {}),
    formRef: (element) => void (form = element),
    alertRef: (element) => void (alert = element),
    submit,
  };
  return state;
}

/** What {@link createAddressForm} gives a form that sends one email address. */
export interface AddressForm {
  form: FormState;
  email: Accessor<string>;
  setEmail: (value: string) => void;
  /** Whether the last send went through (the form shows its notice). */
  sent: Accessor<boolean>;
  onSubmit(event: SubmitEvent): void;
}

/**
 * A form that sends one email address (a reset link, a sign-in link, a new
 * address to verify): the address is required and trimmed, `sent` turns on
 * once the call went through and off with the next submit.
 *
 * @example
 * const { form, email, setEmail, sent, onSubmit } = createAddressForm(t, (email) => trpc.auth.requestPasswordReset.mutate({ email }));
 */
export function createAddressForm(
  t: Accessor<AuthMessages>,
  send: (email: string) => Promise<unknown>,
  options: { clearOnSuccess?: boolean } = {},
): AddressForm {
  const form = createFormState(t);
  const [email, setEmail] = createSignal('');
  const [sent, setSent] = createSignal(false);
  const onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    setSent(false);
    void form.submit({
      validate: (): Record<string, string> => (email().trim() ? {} : { email: t().required }),
      fields: { email: 'email' },
      run: async () => {
        await send(email().trim());
      },
      onSuccess: () => {
        if (options.clearOnSuccess) setEmail('');
        setSent(true);
      },
    });
  };
  return { form, email, setEmail, sent, onSubmit };
}

/**
 * A `ref` that focuses its element once it is in the page: the first field
 * of a canned form, so keyboard users can type at once.
 *
 * @example
 * <Field … ref={focusWhenShown} />
 */
export function focusWhenShown(element: HTMLElement): void {
  queueMicrotask(() => {
    if (element.isConnected && !element.contains(document.activeElement)) element.focus();
  });
}
