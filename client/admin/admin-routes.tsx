import { Route } from '@solidjs/router';
import { createEffect, createMemo, createSignal, type Component, type JSX } from 'solid-js';
import { chunkOnce } from '../auth/chunk';
import { whenIdle } from '../auth/idle';
import { lazyPage } from '../auth/lazy-page';
import { useAuth } from '../state/context';
import type { AdminRouteTableProps } from './admin-route-table';

export interface AdminRoutesProps {
  /** Where the admin lives (default `/admin`). */
  base?: string;
}

/** A component mounting the console's routes under a base: `AdminRouteTable`, or a test's stand-in. */
export type AdminRouteTableComponent = Component<AdminRouteTableProps>;

/**
 * An `AdminRoutes` whose route table is fetched by `loadTable`, once (a
 * failed fetch is tried again at the next visit). `AdminRoutes` is this
 * with the table's own chunk.
 *
 * @example
 * const AdminRoutes = createAdminRoutes(() => import('./admin-route-table').then((m) => m.AdminRouteTable));
 */
export function createAdminRoutes(loadTable: () => Promise<AdminRouteTableComponent>): Component<AdminRoutesProps> {
  const [table, setTable] = createSignal<AdminRouteTableComponent | null>(null);
  // Whoever fetches the table (a visit, the idle prefetch) puts it in the router's routes.
  const load = chunkOnce(() =>
    loadTable().then((Table) => {
      setTable(() => Table);
      return Table;
    }),
  );
  // Never shown: the moment the table is in, its routes replace the one showing this.
  const Nothing = (): JSX.Element => null;
  // Loading… while the table's chunk loads, and the lazy pages' alert when it cannot.
  const WaitForTable = lazyPage(() => load().then(() => Nothing));

  return function AdminRoutes(props: AdminRoutesProps): JSX.Element {
    const base = (props.base ?? '/admin').replace(/\/$/, '');
    const auth = useAuth();
    // Staff see the Admin link: fetch the table before they click it, so the click waits for its page only.
    createEffect(() => {
      if (auth.isStaff) whenIdle(() => void load().catch(() => {}));
    });
    // `<Router>` reads its children reactively: the memo swaps the placeholder for the table once
    // it is in, and only then. A plain function would build new routes each time the router reads
    // its children (another route's memo changing), and the router would mount the console again.
    const routes = createMemo((): JSX.Element => {
      const Table = table();
      return Table ? <Table base={base} /> : <Route path={`${base}/*`} component={WaitForTable} />;
    });
    return routes as unknown as JSX.Element;
  };
}

/**
 * Mounts the admin console inside `<Router>`: **Users** (`/admin/users`,
 * `/admin/users/:id`), **Groups** (`/admin/groups`, `/admin/groups/:id`) and
 * **Audit log** (`/admin/audit`); `/admin` opens Users. Staff only on the
 * page; the server checks each `admin.*` call against its permission.
 *
 * The console's code stays out of the bundle a first visit downloads: its
 * route table is a chunk fetched at the first visit under `base` (which shows
 * **Loading…** meanwhile, or the lazy pages' alert when it cannot load, tried
 * again at the next visit), when the mouse rests on a link there, or when
 * the browser is idle once the user is staff. Each page is a chunk of its
 * own too, fetched the same ways.
 *
 * @example
 * <Router root={Shell}>
 *   <AdminRoutes />
 * </Router>
 */
export const AdminRoutes: Component<AdminRoutesProps> = createAdminRoutes(() =>
  import('./admin-route-table').then((m) => m.AdminRouteTable),
);
