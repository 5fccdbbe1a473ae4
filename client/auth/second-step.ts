import type { Component } from 'solid-js';

/**
 * The **Two-factor authentication** page's code, a chunk of its own: only a
 * sign-in whose account has a second step shows it. The login form asks for
 * it when it sends a password, so the chunk is in by the time the server
 * answers with the way to `/two-factor`; a visit straight to that page
 * fetches it there (`lazyPage`). The browser fetches a chunk once.
 */
export function loadTwoFactorPage(): Promise<Component> {
  return import('./two-factor-page').then((m) => m.TwoFactorPage);
}
