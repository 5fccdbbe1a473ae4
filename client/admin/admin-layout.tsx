import { A } from '@solidjs/router';
import { Show, type JSX, type ParentProps } from 'solid-js';
import { RequireStaff } from '../auth';
import { reportAdminLanguageFailure, useAdminLanguage, useAdminMessages } from './admin-messages';

/**
 * The admin's frame: its nav (**Users**, **Groups**, **Audit log**), staff
 * only. Shown once the console's texts in the tab's language are in (a chunk
 * per language but English), so an Arabic console never shows English first;
 * **Loading…** meanwhile. Texts that cannot be loaded (or not within the
 * catalogs' timeout) leave it in English, and a toast says so.
 */
export function AdminLayout(props: ParentProps<{ base: string }>): JSX.Element {
  const t = useAdminMessages();
  const language = useAdminLanguage();
  reportAdminLanguageFailure();
  return (
    <RequireStaff fallback={<p class="admin-refused">{t().staffOnly}</p>}>
      <Show
        when={language()}
        fallback={
          <p class="admin-loading" role="status">
            {t().loading}
          </p>
        }
      >
        {(shown) => (
          // The tab's language and direction: Arabic pages read right to left (the styles use logical properties).
          <section class="page admin" aria-labelledby="admin-title" lang={shown().language} dir={shown().dir}>
            <header class="page-header admin-header">
              <h1 id="admin-title">{t().administration}</h1>
              <nav class="admin-nav" aria-label={t().administration}>
                <A href={`${props.base}/users`}>{t().users}</A>
                <A href={`${props.base}/groups`}>{t().groups}</A>
                <A href={`${props.base}/audit`}>{t().auditLog}</A>
              </nav>
            </header>
            {props.children}
          </section>
        )}
      </Show>
    </RequireStaff>
  );
}
