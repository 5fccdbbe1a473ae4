import { Navigate, Route } from '@solidjs/router';
import type { JSX, ParentProps } from 'solid-js';
import { lazyPage } from '../auth/lazy-page';

// The console's code is fetched the first time it is shown: most visitors never open it.
const AdminLayout = lazyPage(() => import('./admin-layout').then((m) => m.AdminLayout));
const UsersPage = lazyPage(() => import('./users-page').then((m) => m.UsersPage));
const UserDetailPage = lazyPage(() => import('./user-detail-page').then((m) => m.UserDetailPage));
const GroupsPage = lazyPage(() => import('./groups-page').then((m) => m.GroupsPage));
const GroupDetailPage = lazyPage(() => import('./group-detail-page').then((m) => m.GroupDetailPage));
const AuditPage = lazyPage(() => import('./audit-page').then((m) => m.AuditPage));

export interface AdminRoutesProps {
  /** Where the admin lives (default `/admin`). */
  base?: string;
}

/**
 * Mounts the admin console inside `<Router>`: **Users** (`/admin/users`,
 * `/admin/users/:id`), **Groups** (`/admin/groups`, `/admin/groups/:id`) and
 * **Audit log** (`/admin/audit`); `/admin` opens Users. Staff only on the
 * page; the server checks each `admin.*` call against its permission.
 *
 * @example
 * <Router root={Shell}>
 *   <AdminRoutes />
 * </Router>
 */
export function AdminRoutes(props: AdminRoutesProps): JSX.Element {
  const base = (props.base ?? '/admin').replace(/\/$/, '');
  const Layout = (p: ParentProps) => <AdminLayout base={base}>{p.children}</AdminLayout>;
  return (
    <Route path={base} component={Layout}>
      <Route path="/" component={() => <Navigate href={`${base}/users`} />} />
      <Route path="/users" component={() => <UsersPage base={base} />} />
      <Route path="/users/:id" component={() => <UserDetailPage base={base} />} />
      <Route path="/groups" component={() => <GroupsPage base={base} />} />
      <Route path="/groups/:id" component={() => <GroupDetailPage base={base} />} />
      <Route path="/audit" component={AuditPage} />
    </Route>
  );
}
