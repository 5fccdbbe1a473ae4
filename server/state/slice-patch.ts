import { z } from 'zod';
import { initialValues, type SliceDefinition } from './slices';
import { sameValue } from './state-access';

const jsonValue = z.json();

/** One field's schema: the kind of its initial value; a `null` initial value takes any JSON value. */
function fieldSchema(initial: unknown): z.ZodType {
  if (typeof initial === 'string') return z.string();
  if (typeof initial === 'number') return z.number();
  if (typeof initial === 'boolean') return z.boolean();
  if (Array.isArray(initial)) return z.array(jsonValue);
  if (initial !== null && typeof initial === 'object') return z.record(z.string(), jsonValue);
  return jsonValue;
}

/**
 * A patch of `def`, checked where the type system cannot reach (it crossed
 * the bus, or was written by code that is not type-checked): some of the
 * slice's own fields, each a JSON value of the kind of the field's initial
 * value (a string for a string, an array for an array, …). Any other field
 * is refused.
 *
 * @example
 * slicePatchSchema(notesSlice).safeParse({ canDelete: 'yes' }).success; // false
 */
export function slicePatchSchema(def: SliceDefinition): z.ZodType<Record<string, unknown>> {
  const shape: Record<string, z.ZodType> = {};
  for (const [field, initial] of Object.entries(def.initial)) shape[field] = fieldSchema(initial).optional();
  return z.strictObject(shape);
}

/**
 * The values of a slice kept outside the process (the resume stash in
 * Redis), checked against `def`: every field of the definition, from
 * `stored` when it is of the right kind, else its initial value. A field the
 * definition no longer has (a deploy renamed it) is left behind.
 */
export function sliceValuesFrom(def: SliceDefinition, stored: Record<string, unknown>): Record<string, unknown> {
  const values = initialValues(def);
  for (const [field, initial] of Object.entries(def.initial)) {
    if (Object.hasOwn(stored, field) && fieldSchema(initial).safeParse(stored[field]).success) values[field] = stored[field];
  }
  return values;
}

/**
 * Applies a checked patch to one tab's slice values and answers the fields
 * that changed (`null`: none). Objects and arrays are copied, so no two tabs
 * ever share a value a handler could change in place.
 */
export function applySlicePatch(values: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> | null {
  let changed: Record<string, unknown> | null = null;
  for (const field in patch) {
    const value = patch[field];
    if (value === undefined || !Object.hasOwn(patch, field) || sameValue(values[field], value)) continue;
    const own = typeof value === 'object' && value !== null ? structuredClone(value) : value;
    values[field] = own;
    (changed ??= {})[field] = own;
  }
  return changed;
}
