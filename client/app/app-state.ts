import type { AppRouter } from '../../server/app/router';
import { appSlices } from '../../server/app/slices';
import type { SiteSnapshot, SlicesOf } from '../../server/shared';
import { type StateClient, useStateClient } from '../state';
import type { LanguageState } from '../auth';

/** The example app's slices as the client sees them, the built-in ones included. */
export type AppSlices = SlicesOf<typeof appSlices> & { site: SiteSnapshot; i18n: LanguageState };

/** One note as the `notes` slice holds it. */
export type Note = AppSlices['notes']['items'][number];

/** What the slices hold before the server's first push. */
export function initialAppSlices(): Partial<AppSlices> {
  return Object.fromEntries(appSlices.map((slice) => [slice.name, structuredClone(slice.initial)])) as Partial<AppSlices>;
}

/**
 * The example app's typed state client.
 *
 * @example
 * const app = useApp();
 * await app.trpc.notes.add.mutate({ title: 'Hi', content: '' });
 * app.slices.notes.items.length;
 */
export function useApp(): StateClient<AppRouter, AppSlices> {
  return useStateClient<AppRouter, AppSlices>();
}
