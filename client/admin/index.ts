/**
 * The admin console of the Solid client: users, groups and the audit log,
 * live over the socket.
 *
 * @example
 * import { AdminRoutes } from './admin';
 * <Router root={Shell}><AdminRoutes /></Router>
 */
export { AdminRoutes, type AdminRoutesProps } from './admin-routes';
export { onAccessChange, useAdminClient, useAdminRevision } from './admin-client';
export { AUDIT_EVENT_LABELS, AUDIT_EVENT_LABELS_AR, auditLabel, auditLabelsFor, formatWhen } from './audit-labels';
export {
  ADMIN_CATALOGS,
  ADMIN_EN,
  adminMessagesFor,
  loadAdminMessages,
  useAdminLanguage,
  useAdminMessages,
  type AdminMessageKey,
  type AdminMessages,
} from './admin-messages';
