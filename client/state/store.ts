import { batch } from 'solid-js';
import { createStore, reconcile, unwrap } from 'solid-js/store';
import type { Delta } from '../../server/shared';

/**
 * Slice name → slice fields. `object` rather than `Record<string, unknown>` so
 * that interfaces such as `AuthSnapshot` fit.
 */
export type SliceMap = Record<string, object>;

/** What a slice store can do; `state` itself is read-only. */
export interface SliceStoreActions {
  /** Merges the changed fields of each named slice; other fields keep their signals. */
  applyDelta(delta: Delta): void;
  /** Replaces every slice with `full`; slices it lacks go back to their initial fields. */
  replaceAll(full: Delta): void;
  /** Puts every slice back to its initial fields. */
  reset(): void;
  /** Creates an empty slice under `name` if there is none yet, so reads of it can track. */
  ensure(name: string): void;
}

type Fields = Record<string, unknown>;
type MutableSlices = Record<string, Fields>;

/**
 * The client's mirror of the connection's slices as one Solid store.
 *
 * Server snapshots enter through `reconcile`, one slice at a time, so a
 * slice keeps its identity and unchanged fields never notify. A partial
 * delta touches only the fields it names; a field holding an array or an
 * object is reconciled too, so equal items keep their proxies.
 *
 * @example
 * const [slices, { applyDelta }] = createSliceStore({ dashboard: { tab: 'overview', count: 0 } });
 * createEffect(() => console.log(slices.dashboard.tab)); // runs again only when `tab` changes
 * applyDelta({ dashboard: { count: 1 } });               // the effect above stays quiet
 */
export function createSliceStore<S extends SliceMap>(initial: Partial<S>): [S, SliceStoreActions] {
  const initialFields = initial as Partial<Record<string, Fields>>;
  const [state, setState] = createStore<MutableSlices>(cloneSlices(initialFields));

  function ensure(name: string): void {
    if (!(name in unwrap(state))) setState(name, {});
  }

  function replaceSlice(name: string, fields: Fields): void {
    if (name in unwrap(state)) setState(name, reconcile(structuredClone(fields)));
    else setState(name, structuredClone(fields));
  }

  function applyDelta(delta: Delta): void {
    batch(() => {
      for (const [name, fields] of Object.entries(delta)) {
        if (!isFields(fields)) continue;
        ensure(name);
        for (const [field, value] of Object.entries(fields)) {
          setState(name, field, reconcile(structuredClone(value)));
        }
      }
    });
  }

  function replaceAll(full: Delta): void {
    batch(() => {
      const names = new Set([...Object.keys(unwrap(state)), ...Object.keys(initialFields), ...Object.keys(full)]);
      for (const name of names) {
        const fields = full[name];
        replaceSlice(name, isFields(fields) ? fields : (initialFields[name] ?? {}));
      }
    });
  }

  function reset(): void {
    replaceAll({});
  }

  return [state as unknown as S, { applyDelta, replaceAll, reset, ensure }];
}

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep copies, so frozen defaults (`ANONYMOUS_SNAPSHOT`) never end up inside the store. */
function cloneSlices(slices: Partial<Record<string, Fields>>): MutableSlices {
  const copy: MutableSlices = {};
  for (const [name, fields] of Object.entries(slices)) {
    if (isFields(fields)) copy[name] = structuredClone(fields);
  }
  return copy;
}
