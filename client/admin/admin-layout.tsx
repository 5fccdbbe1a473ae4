import { A } from '@solidjs/router';
import type { JSX, ParentProps } from 'solid-js';
import { RequireStaff, useLanguage } from '../auth';
import { useAdminMessages } from './admin-messages';

/** The admin's frame: its nav (**Users**, **Groups**, **Audit log**), staff only. */
export function AdminLayout(props: ParentProps<{ base: string }>): JSX.Element {
  const t = useAdminMessages();
  const language = useLanguage();
  return (
    <RequireStaff fallback={<p class="admin-refused">{t().staffOnly}</p>}>
      {/* The tab's language and direction: Arabic pages read right to left (the styles use logical properties). */}
      <section class="page admin" aria-labelledby="admin-title" lang={language().language} dir={language().dir}>
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
    </RequireStaff>
  );
}
