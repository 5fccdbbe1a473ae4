import { describe, expect, test } from 'bun:test';
import { createEffect, createRoot } from 'solid-js';
import { createSliceStore } from '../../client/state/store';

type Slices = {
  dashboard: { tab: string; count: number; tags: string[]; filters: { archived: boolean } };
  auth: { username: string; isAuthenticated: boolean };
};

const initial: Slices = {
  dashboard: { tab: 'overview', count: 0, tags: ['a'], filters: { archived: false } },
  auth: { username: '', isAuthenticated: false },
};

/** Counts how often an effect reading `read()` runs, inside its own root. */
function track(read: () => unknown): { runs: () => number; dispose: () => void } {
  let runs = 0;
  let dispose = () => {};
  createRoot((d) => {
    dispose = d;
    createEffect(() => {
      read();
      runs++;
    });
  });
  return { runs: () => runs, dispose };
}

describe('createSliceStore', () => {
  test('starts from a copy of the initial slices', () => {
    createRoot((dispose) => {
      const [slices] = createSliceStore<Slices>(initial);
      expect(slices.dashboard.tab).toBe('overview');
      expect(slices.dashboard).not.toBe(initial.dashboard);
      dispose();
    });
  });

  test('a partial delta changes only the fields it names', () => {
    createRoot((dispose) => {
      const [slices, { applyDelta }] = createSliceStore<Slices>(initial);
      applyDelta({ dashboard: { count: 3 } });
      expect(slices.dashboard).toEqual({ tab: 'overview', count: 3, tags: ['a'], filters: { archived: false } });
      expect(slices.auth.username).toBe('');
      dispose();
    });
  });

  test('only effects reading a changed field run again', () => {
    const [slices, { applyDelta }] = createRoot(() => createSliceStore<Slices>(initial));
    const tab = track(() => slices.dashboard.tab);
    const count = track(() => slices.dashboard.count);
    const username = track(() => slices.auth.username);
    expect([tab.runs(), count.runs(), username.runs()]).toEqual([1, 1, 1]);

    applyDelta({ dashboard: { count: 1 } });
    expect([tab.runs(), count.runs(), username.runs()]).toEqual([1, 2, 1]);

    applyDelta({ dashboard: { count: 1, tab: 'overview' } });
    expect([tab.runs(), count.runs(), username.runs()]).toEqual([1, 2, 1]);
    for (const t of [tab, count, username]) t.dispose();
  });

  test('a delta touching several fields notifies each effect once', () => {
    const [slices, { applyDelta }] = createRoot(() => createSliceStore<Slices>(initial));
    const both = track(() => `${slices.dashboard.tab}:${slices.dashboard.count}`);
    applyDelta({ dashboard: { tab: 'notes', count: 9 } });
    expect(both.runs()).toBe(2);
    both.dispose();
  });

  test('an equal array or object in a delta keeps its items quiet', () => {
    const [slices, { applyDelta }] = createRoot(() => createSliceStore<Slices>(initial));
    const firstTag = track(() => slices.dashboard.tags[0]);
    const archived = track(() => slices.dashboard.filters.archived);
    applyDelta({ dashboard: { tags: ['a'], filters: { archived: false } } });
    expect([firstTag.runs(), archived.runs()]).toEqual([1, 1]);

    applyDelta({ dashboard: { tags: ['a', 'b'], filters: { archived: true } } });
    expect(slices.dashboard.tags).toEqual(['a', 'b']);
    expect([firstTag.runs(), archived.runs()]).toEqual([1, 2]);
    firstTag.dispose();
    archived.dispose();
  });

  test('a delta for an unknown slice creates it', () => {
    createRoot((dispose) => {
      const [slices, { applyDelta }] = createSliceStore<Slices & { notes: { open: number } }>(initial);
      applyDelta({ notes: { open: 2 } });
      expect(slices.notes).toEqual({ open: 2 });
      dispose();
    });
  });

  test('a full snapshot replaces every slice and drops fields it lacks', () => {
    createRoot((dispose) => {
      const [slices, { applyDelta, replaceAll }] = createSliceStore<Slices>(initial);
      applyDelta({ dashboard: { extra: true } as Record<string, unknown> });
      replaceAll({
        dashboard: { tab: 'notes', count: 7, tags: [], filters: { archived: true } },
        auth: { username: 'ada', isAuthenticated: true },
      });
      expect(slices.dashboard).toEqual({ tab: 'notes', count: 7, tags: [], filters: { archived: true } });
      expect('extra' in slices.dashboard).toBe(false);
      expect(slices.auth).toEqual({ username: 'ada', isAuthenticated: true });
      dispose();
    });
  });

  test('a full snapshot keeps unchanged fields and slice identity quiet', () => {
    const [slices, { replaceAll }] = createRoot(() => createSliceStore<Slices>(initial));
    const dashboardBefore = slices.dashboard;
    const tab = track(() => slices.dashboard.tab);
    const username = track(() => slices.auth.username);
    replaceAll({ ...initial, auth: { username: 'ada', isAuthenticated: true } });
    expect(slices.dashboard).toBe(dashboardBefore);
    expect([tab.runs(), username.runs()]).toEqual([1, 2]);
    tab.dispose();
    username.dispose();
  });

  test('a slice missing from a full snapshot returns to its initial fields', () => {
    createRoot((dispose) => {
      const [slices, { applyDelta, replaceAll }] = createSliceStore<Slices>(initial);
      applyDelta({ dashboard: { tab: 'notes' } });
      replaceAll({ auth: { username: 'ada', isAuthenticated: true } });
      expect(slices.dashboard.tab).toBe('overview');
      dispose();
    });
  });

  test('reset puts every slice back to its initial fields', () => {
    createRoot((dispose) => {
      const [slices, { applyDelta, reset }] = createSliceStore<Slices>(initial);
      applyDelta({ dashboard: { tab: 'notes', count: 2 }, auth: { username: 'ada' } });
      reset();
      expect(slices.dashboard).toEqual(initial.dashboard);
      expect(slices.auth).toEqual(initial.auth);
      dispose();
    });
  });

  test('frozen initial values are copied, so the store can change them', () => {
    createRoot((dispose) => {
      const frozen = Object.freeze({ username: '', isAuthenticated: false });
      const [slices, { applyDelta }] = createSliceStore<Slices>({ auth: frozen });
      applyDelta({ auth: { username: 'ada' } });
      expect(slices.auth.username).toBe('ada');
      expect(frozen.username).toBe('');
      dispose();
    });
  });
});
