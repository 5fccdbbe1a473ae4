import type { Connection } from '../bridge/connection';
import type { Delta } from './protocol';
import type { SliceDefinition, SliceValue } from './slices';

/**
 * `ctx.state`: read and change the tab's slices. Every `set` marks fields;
 * after the handler the bridge sends only marked fields whose value changed.
 *
 * @example
 * const dash = ctx.state.get(dashboard);
 * ctx.state.set(dashboard, { tab: 'notes', lastPath: ctx.request.path });
 */
export class StateAccess {
  private dirty: Map<string, Map<string, unknown>> | null = null;

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
      this.dirty ??= new Map();
      let fields = this.dirty.get(def.name);
      if (!fields) this.dirty.set(def.name, (fields = new Map()));
      if (!fields.has(field)) fields.set(field, values[field]);
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
    this.set(def, structuredClone(def.initial) as Partial<Shape>);
  }

  /** The changed fields, per slice; the marks are cleared. */
  collect(): Delta {
    const delta: Delta = {};
    if (!this.dirty) return delta;
    for (const [slice, fields] of this.dirty) {
      const values = this.conn.slices.get(slice)!;
      for (const [field, before] of fields) {
        const after = values[field];
        if (!sameValue(before, after)) (delta[slice] ??= {})[field] = after;
      }
    }
    this.dirty = null;
    return delta;
  }

  private values(def: SliceDefinition): Record<string, unknown> {
    let values = this.conn.slices.get(def.name);
    if (!values) {
      if (!this.registry.has(def.name)) this.registry.set(def.name, def);
      values = structuredClone(def.initial) as Record<string, unknown>;
      this.conn.slices.set(def.name, values);
    }
    return values;
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
