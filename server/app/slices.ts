import { defineSlice } from '../shared';

/** The dashboard's tab state: which tab shows, and the last page visited. */
export const dashboardSlice = defineSlice('dashboard', { tab: 'overview', lastPath: '' });

/** The signed-in user's notes, kept current through deltas. */
export const notesSlice = defineSlice('notes', {
  items: [] as { id: number; title: string; content: string; updatedAt: number }[],
  canDelete: false as boolean,
});

/** UI preferences stored in the session. */
export const preferencesSlice = defineSlice('preferences', { theme: 'light' });

export const appSlices = [dashboardSlice, notesSlice, preferencesSlice] as const;
