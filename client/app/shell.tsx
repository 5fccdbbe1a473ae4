import type { RouteSectionProps } from '@solidjs/router';
import { createEffect, type JSX } from 'solid-js';
import { ConfirmIdentityDialog, useLanguage, VerifyEmailBanner } from '../auth';
import { RouteReporter, Toaster } from '../state';
import { Navbar } from './navbar';
import { ThemeSync } from './theme';

/**
 * The frame of every page: a skip link, the navbar, the page, the toasts.
 * Keeps the route mirror, the theme and `<html lang dir>` in step.
 */
export function Shell(props: RouteSectionProps): JSX.Element {
  const language = useLanguage();
  createEffect(() => {
    document.documentElement.lang = language().language;
    document.documentElement.dir = language().dir;
  });
  return (
    <>
      <RouteReporter />
      <ThemeSync />
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <Navbar />
      <main id="main" class="app-main" tabindex="-1">
        <VerifyEmailBanner />
        {props.children}
      </main>
      <ConfirmIdentityDialog />
      <Toaster />
    </>
  );
}
