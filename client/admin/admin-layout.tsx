import { A } from '@solidjs/router';
import type { JSX, ParentProps } from 'solid-js';
import { RequireStaff } from '../auth';

/** The admin's frame: its nav (**Users**, **Groups**, **Audit log**), staff only. */
export function AdminLayout(props: ParentProps<{ base: string }>): JSX.Element {
  return (
    <RequireStaff fallback={<p class="admin-refused">Only staff members can open the admin.</p>}>
      <section class="page admin" aria-labelledby="admin-title">
        <header class="page-header admin-header">
          <h1 id="admin-title">Administration</h1>
          <nav class="admin-nav" aria-label="Administration">
            <A href={`${props.base}/users`}>Users</A>
            <A href={`${props.base}/groups`}>Groups</A>
            <A href={`${props.base}/audit`}>Audit log</A>
          </nav>
        </header>
        {props.children}
      </section>
    </RequireStaff>
  );
}
