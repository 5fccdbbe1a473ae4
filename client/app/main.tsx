/**
 * The example app's entry: one state client for the tab, the router with
 * the app's pages and the canned auth pages.
 */
import '../auth/auth-pages.css';
import './styles/base.css';
import './styles/chrome.css';
import './styles/pages.css';
import './styles/notes-and-settings.css';
import { render } from 'solid-js/web';
import { createStateClient } from '../state';
import type { AppRouter } from '../../server/app/router';
import { App } from './app';
import { initialAppSlices, type AppSlices } from './app-state';

const root = document.getElementById('root');
if (root) {
  const client = createStateClient<AppRouter, AppSlices>({ initialSlices: initialAppSlices() });
  render(() => <App client={client} />, root);
}
