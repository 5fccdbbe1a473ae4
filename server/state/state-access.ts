import type { Connection } from '../bridge/connection';
import type { Delta } from './protocol';
import { initialValues, type SliceDefinition, type SliceValue } from './slices';

/** Entries of the dirty list: slice values, slice name, field, value before. */
const ENTRY = 4;

/**
 * `ctx.state`: read and change the tab's slices. Every `set` marks fields;
 * after the handler the bridge sends only marked fields whose value changed.
 *
 * @example
 * const dash = ctx.state.get(dashboard);
 * ctx.state.set(dashboard, { tab: 'notes', lastPath: ctx.request.path });
 */
export class StateAccess {
  /**
   * The fields set in this event with their values before it, as a flat list
   * of (slice values, slice name, field, before) entries: an event sets a
   * field or two, and two Maps per event cost more than a short scan. The
   * slice's values object is kept so that collecting looks nothing up again
   * (a connection keeps the same values object for a slice while it lives).
   */
  private dirty: unknown[] | null = null;

  constructor(
    private readonly conn: Connection,
    /** The app's slice definitions by name; a slice first used by a handler joins it. */
    private readonly registry: Map<string, SliceDefinition>,
  ) {}

  /** The slice's current values (read-only view). */
  get<Shape extends Record<string, SliceValue>>(def: SliceDefinition<string, Shape>): Readonly<Shape> {
    return this.values(def) as unknown as Shape;
  }

  /** Sets some fields of a slice. */
  set<Shape extends Record<string, SliceValue>>(def: SliceDefinition<string, Shape>, patch: Partial<Shape>): void {
    const values = this.values(def);
    for (const field in patch) {
      const value = patch[field];
      // Only the slice's own fields: never `__proto__`, `constructor` or another inherited name.
      if (value === undefined || !Object.hasOwn(patch, field) || !Object.hasOwn(def.initial, field)) continue;
      const dirty = (this.dirty ??= []);
      if (!marked(dirty, values, field)) dirty.push(values, def.name, field, values[field]);
      values[field] = value;
    }
  }

  /** Changes a slice through a function of its current values. */
  update<Shape extends Record<string, SliceValue>>(
    def: SliceDefinition<string, Shape>,
    change: (current: Readonly<Shape>) => Partial<Shape>,
  ): void {
    this.set(def, change(this.get(def)));
  }

  /** Puts every field of a slice back to its initial value. */
  reset<Shape extends Record<string, SliceValue>>(def: SliceDefinition<string, Shape>): void {
    this.set(def, initialValues(def) as Partial<Shape>);
  }

  /** The changed fields, per slice; the marks are cleared. */
  collect(): Delta {
    const delta: Delta = {};
    const dirty = this.dirty;
    if (!dirty) return delta;
    for (let i = 0; i < dirty.length; i += ENTRY) {
      const field = dirty[i + 2] as string;
      const after = (dirty[i] as Record<string, unknown>)[field];
      if (!sameValue(dirty[i + 3], after)) (delta[dirty[i + 1] as string] ??= {})[field] = after;
    }
    this.dirty = null;
    return delta;
  }

  private values(def: SliceDefinition): Record<string, unknown> {
    let values = this.conn.slices.get(def.name);
    if (!values) {
      if (!this.registry.has(def.name)) this.registry.set(def.name, def);
      values = initialValues(def);
      this.conn.slices.set(def.name, values);
    }
    return values;
  }
}

/** Whether two slice field values are equal (JSON values: compared by their text when not identical). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Whether `field` of the slice holding `values` is already in the dirty list. */
function marked(dirty: unknown[], values: Record<string, unknown>, field: string): boolean {
  for (let i = 0; i < dirty.length; i += ENTRY) if (dirty[i + 2] === field && dirty[i] === values) return true;
  return false;
}
