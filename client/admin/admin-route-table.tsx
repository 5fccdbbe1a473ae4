import { Navigate, Route } from '@solidjs/router';
import type { JSX, ParentProps } from 'solid-js';
import { lazyPage, withPreload } from '../auth/lazy-page';
import { AdminLayout } from './admin-layout';

// Each page is a chunk of its own, fetched the first time it is shown.
const UsersPage = lazyPage(() => import('./users-page').then((m) => m.UsersPage));
const UserDetailPage = lazyPage(() => import('./user-detail-page').then((m) => m.UserDetailPage));
const GroupsPage = lazyPage(() => import('./groups-page').then((m) => m.GroupsPage));
const GroupDetailPage = lazyPage(() => import('./group-detail-page').then((m) => m.GroupDetailPage));
const AuditPage = lazyPage(() => import('./audit-page').then((m) => m.AuditPage));

export interface AdminRouteTableProps {
  /** Where the admin lives, without a trailing slash (`/admin`). */
  base: string;
}

/**
 * The admin console's routes under `base`, inside its frame: **Users**
 * (`/users`, `/users/:id`), **Groups** (`/groups`, `/groups/:id`) and
 * **Audit log** (`/audit`); `base` itself opens Users. A chunk of its own,
 * which `AdminRoutes` fetches on first need.
 *
 * @example
 * <Router root={Shell}>
 *   <AdminRouteTable base="/admin" />
 * </Router>
 */
export function AdminRouteTable(props: AdminRouteTableProps): JSX.Element {
  const base = props.base;
  const Layout = (p: ParentProps) => <AdminLayout base={base}>{p.children}</AdminLayout>;
  return (
    <Route path={base} component={Layout}>
      <Route path="/" component={withPreload(() => <Navigate href={`${base}/users`} />, UsersPage)} />
      <Route path="/users" component={withPreload(() => <UsersPage base={base} />, UsersPage)} />
      <Route path="/users/:id" component={withPreload(() => <UserDetailPage base={base} />, UserDetailPage)} />
      <Route path="/groups" component={withPreload(() => <GroupsPage base={base} />, GroupsPage)} />
      <Route path="/groups/:id" component={withPreload(() => <GroupDetailPage base={base} />, GroupDetailPage)} />
      <Route path="/audit" component={AuditPage} />
    </Route>
  );
}
