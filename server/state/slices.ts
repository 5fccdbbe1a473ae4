import type { AuthSnapshot } from './protocol';

/** A JSON value a slice field may hold. */
export type SliceValue = string | number | boolean | null | SliceValue[] | { [key: string]: SliceValue };

/** What a slice's name looks like: an identifier (`dashboard`, `my-notes`). */
export const SLICE_NAME = /^[a-zA-Z][\w-]*$/;

/** A named, typed piece of per-connection state that the client mirrors. */
export interface SliceDefinition<Name extends string = string, Shape extends Record<string, SliceValue> = Record<string, SliceValue>> {
  readonly name: Name;
  readonly initial: Readonly<Shape>;
}

/**
 * Declares a slice with its initial values.
 *
 * @example
 * export const dashboard = defineSlice('dashboard', { lastPath: '', tab: 'overview' });
 */
export function defineSlice<const Name extends string, Shape extends Record<string, SliceValue>>(
  name: Name,
  initial: Shape,
): SliceDefinition<Name, Shape> {
  if (!SLICE_NAME.test(name)) throw new Error(`Slice names are identifiers, got "${name}"`);
  return Object.freeze({ name, initial: Object.freeze(structuredClone(initial)) });
}

/**
 * A fresh, mutable copy of a slice's initial values, as a tab starts with
 * them: a plain copy when every field is a primitive (most slices), a deep
 * one otherwise. `structuredClone` of a flat object was 5 % of a restarted
 * server's samples while 10,000 tabs subscribed again (`bench/`, storm).
 */
export function initialValues(def: SliceDefinition): Record<string, unknown> {
  const initial = def.initial as Record<string, SliceValue>;
  for (const key in initial) {
    const value = initial[key];
    if (typeof value === 'object' && value !== null) return structuredClone(initial);
  }
  return { ...initial };
}

/** The slice map type of a tuple of definitions: `{ dashboard: {...}, auth: AuthSnapshot }`. */
export type SlicesOf<Defs extends readonly SliceDefinition[]> = {
  [D in Defs[number] as D['name']]: D['initial'];
} & { auth: AuthSnapshot };
