import { readErrorEnvelope } from '../state/link';
import { formatMessage, type AuthMessages } from './messages';

/** What a failed call means for a form: a form-level text and per-field texts. */
export interface FormFailure {
  formError: string | null;
  fieldErrors: Record<string, string>;
}

/** The tRPC error code of a failed call (`UNAUTHORIZED`, `TOO_MANY_REQUESTS`, …), if it has one. */
export function errorCodeOf(error: unknown): string | null {
  if (typeof error !== 'object' || error === null) return null;
  const data = (error as { data?: { code?: unknown } | null }).data;
  return typeof data?.code === 'string' ? data.code : null;
}

/**
 * Turns a failed call into the texts a form shows. Field errors
 * (`error.data.statehouse.fieldErrors`) go to the fields named in
 * `fields` (server name → form field; unknown fields become the form
 * error); TOO_MANY_REQUESTS, and SERVICE_UNAVAILABLE with a `retryAfter`
 * (the server's hashing queue is full), say how long to wait; anything else shows the
 * server's message, or a generic one when the call never reached it.
 *
 * @example
 * const { formError, fieldErrors } = describeFailure(error, t(), { loginId: 'username' });
 */
export function describeFailure(error: unknown, t: AuthMessages, fields: Readonly<Record<string, string>> = {}): FormFailure {
  const envelope = readErrorEnvelope(error);
  const code = errorCodeOf(error);
  if (code === 'TOO_MANY_REQUESTS') {
    const seconds = envelope?.retryAfter;
    return {
      formError:
        typeof seconds === 'number' && seconds > 0 ? formatMessage(t.tryAgainIn, { seconds: Math.ceil(seconds) }) : t.tooManyAttempts,
      fieldErrors: {},
    };
  }
  if (code === 'SERVICE_UNAVAILABLE' && typeof envelope?.retryAfter === 'number' && envelope.retryAfter > 0) {
    return { formError: formatMessage(t.busyTryAgainIn, { seconds: Math.ceil(envelope.retryAfter) }), fieldErrors: {} };
  }
  const fieldErrors: Record<string, string> = {};
  const stray: string[] = [];
  for (const problem of envelope?.fieldErrors ?? []) {
    const field = Object.hasOwn(fields, problem.field) ? fields[problem.field]! : null;
    if (field === null) stray.push(problem.message);
    else fieldErrors[field] ??= problem.message;
  }
  if (stray.length > 0) return { formError: stray.join(' '), fieldErrors };
  if (Object.keys(fieldErrors).length > 0) return { formError: null, fieldErrors };
  const message = code !== null && error instanceof Error && error.message ? error.message : t.somethingWentWrong;
  return { formError: message, fieldErrors };
}
