import { z } from 'zod';
import { appActionsSchema } from '../state/app-actions';
import { AUTH_SLICE, SITE_SLICE, type AppAction, type Delta } from '../state/protocol';
import { slicePatchSchema } from '../state/slice-patch';
import { SLICE_NAME, type SliceDefinition } from '../state/slices';

/** Whose open tabs a push reaches: one user's, one session's, or every tab. */
export type PushTarget = { userId: number } | { sessionId: string } | { all: true };

/** A push on the bus: slice fields and client actions for the open tabs of `target`, on every process. */
export interface PushEvent {
  type: 'push';
  target: PushTarget;
  /** Fields per slice, as in a delta. */
  delta: Delta;
  actions: AppAction[];
}

const pushTargetSchema = z.union([
  z.strictObject({ userId: z.number().int().positive() }),
  z.strictObject({ sessionId: z.string().min(1).max(128) }),
  z.strictObject({ all: z.literal(true) }),
]) satisfies z.ZodType<PushTarget>;

/** The shape of a push; its slices are checked against a process's own (see {@link checkPush}). */
const pushEventSchema = z.strictObject({
  type: z.literal('push'),
  target: pushTargetSchema,
  delta: z.record(z.string().regex(SLICE_NAME), z.record(z.string(), z.json())),
  actions: appActionsSchema,
});

/** Why a push is refused, each with what it means. */
export const PUSH_ERRORS = {
  UNKNOWN_SLICE: 'the slice is not one this process declared (the auth and site snapshots are never pushed)',
  INVALID_PATCH: "a field is not one of the slice's own, or its value is not of the field's kind",
  INVALID_TARGET: 'the target is not { userId }, { sessionId } or { all: true }',
  INVALID_ACTIONS: 'an action is not a navigate to a path on this site, a toast or a reload',
  TOO_LARGE: 'the push is larger than push.maxBytes',
} as const;

export type PushErrorCode = keyof typeof PUSH_ERRORS;

/** One thing wrong with a push: where (`notes.items`, `target.userId`, `actions.0.to`) and what. */
export interface PushIssue {
  path: string;
  message: string;
}

/**
 * A refused push: thrown where it is published (nothing is sent), logged and
 * dropped where it is received (a message from another process).
 *
 * @example
 * try {
 *   await statehouse.push({ userId }, notesSlice, patch);
 * } catch (error) {
 *   if (error instanceof PushError && error.code === 'INVALID_PATCH') console.warn(error.issues);
 * }
 */
export class PushError extends Error {
  override readonly name = 'PushError';
  constructor(
    readonly code: PushErrorCode,
    readonly issues: PushIssue[] = [],
  ) {
    super(`Push refused (${code}): ${issues.length > 0 ? issues.map((i) => `${i.path}: ${i.message}`).join('; ') : PUSH_ERRORS[code]}`);
  }
}

function issuesOf(error: z.ZodError, prefix: string[] = []): PushIssue[] {
  return error.issues.map((issue) => ({ path: [...prefix, ...issue.path.map(String)].join('.') || '(push)', message: issue.message }));
}

/**
 * Checks a push (as parsed from JSON) against the slices a process knows:
 * the target, the actions, and every slice of the delta declared here with
 * a patch of its own fields, each of its field's kind. Answers the push, or
 * throws a {@link PushError}.
 */
export function checkPush(event: unknown, slices: ReadonlyMap<string, SliceDefinition>): CheckedPush {
  const parsed = pushEventSchema.safeParse(event);
  if (!parsed.success) {
    const where = parsed.error.issues[0]?.path[0];
    const code: PushErrorCode = where === 'target' ? 'INVALID_TARGET' : where === 'actions' ? 'INVALID_ACTIONS' : 'INVALID_PATCH';
    throw new PushError(code, issuesOf(parsed.error));
  }
  for (const [name, patch] of Object.entries(parsed.data.delta)) {
    const def = name === AUTH_SLICE || name === SITE_SLICE ? undefined : slices.get(name);
    if (!def) throw new PushError('UNKNOWN_SLICE', [{ path: name, message: `no slice "${name}" is declared here` }]);
    const fields = slicePatchSchema(def).safeParse(patch);
    if (!fields.success) throw new PushError('INVALID_PATCH', issuesOf(fields.error, [name]));
  }
  return new CheckedPush(parsed.data as PushEvent, slices);
}

/**
 * A push {@link checkPush} answered: it remembers the slices it was checked
 * against, so the process that checked it before publishing applies it to
 * its own tabs without checking it again (`isCheckedAgainst`). What crosses
 * to another process is its JSON, a plain object, checked there once more.
 */
export class CheckedPush implements PushEvent {
  readonly type = 'push' as const;
  readonly target: PushTarget;
  readonly delta: Delta;
  readonly actions: AppAction[];
  /** Not a field of the JSON: only this process's object carries it. */
  readonly #slices: ReadonlyMap<string, SliceDefinition>;

  constructor(push: PushEvent, slices: ReadonlyMap<string, SliceDefinition>) {
    this.target = push.target;
    this.delta = push.delta;
    this.actions = push.actions;
    this.#slices = slices;
  }

  /** Whether it was checked against exactly these slices (a process's own map). */
  isCheckedAgainst(slices: ReadonlyMap<string, SliceDefinition>): boolean {
    return this.#slices === slices;
  }
}
