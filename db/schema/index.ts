/**
 * The whole schema: what drizzle-kit reads to generate migrations and what
 * `drizzle()` is given. Statehouse's tables, except that `users` is the
 * app's own table (Statehouse's columns and the app's: `defineUsersTable`)
 * rather than Statehouse's view of it, then the app's tables.
 */
export {
  authTokens,
  defineUsersTable,
  groupPermissions,
  groups,
  permissions,
  sessionData,
  sessions,
  userGroups,
  userPermissions,
  type AuthTokenRow,
  type GroupRow,
  type NewSessionRow,
  type NewUserRow,
  type PermissionRow,
  type SessionRow,
  type UserColumnBuilders,
  type UserRow,
} from './auth';
export * from './app';
export * from './leases';
export { auditEvents, type AuditEventRow, type NewAuditEventRow } from './audit';
export { providerIdentities, type ProviderIdentityRow } from './identities';
export { passkeys, type NewPasskeyRow, type PasskeyRow } from './passkeys';
export {
  pendingSecondSteps,
  recoveryCodes,
  trustedDevices,
  twoFactorSecrets,
  type PendingSecondStepRow,
  type RecoveryCodeRow,
  type TrustedDeviceRow,
  type TwoFactorSecretRow,
} from './two-factor';
