/** What each audit event type reads as on the pages (English). */
export const AUDIT_EVENT_LABELS: Readonly<Record<string, string>> = {
  'login.succeeded': 'Signed in',
  'login.failed': 'Sign-in failed',
  logout: 'Signed out',
  'session.revoked': 'Session revoked',
  'password.changed': 'Password changed',
  'password.reset': 'Password reset',
  'password.removed': 'Password removed',
  'email.changed': 'Email changed',
  'email.verified': 'Email verified',
  'two_factor.enabled': 'Two-factor turned on',
  'two_factor.disabled': 'Two-factor turned off',
  'two_factor.failed': 'Two-factor code refused',
  'recovery_code.used': 'Recovery code used',
  'recovery_codes.regenerated': 'Recovery codes regenerated',
  'passkey.added': 'Passkey added',
  'passkey.removed': 'Passkey removed',
  'provider.connected': 'Provider connected',
  'provider.disconnected': 'Provider disconnected',
  'reauth.succeeded': 'Identity confirmed',
  'reauth.failed': 'Identity confirmation failed',
  'admin.user_updated': 'User edited',
  'admin.user_deactivated': 'User deactivated',
  'admin.user_activated': 'User activated',
  'admin.user_deleted': 'User deleted',
  'admin.staff_changed': 'Staff status changed',
  'admin.superuser_changed': 'Superuser status changed',
  'admin.groups_changed': 'Groups changed',
  'admin.permissions_changed': 'Permissions changed',
  'admin.signed_out_everywhere': 'Signed out everywhere',
  'admin.password_reset_sent': 'Password-reset email sent',
  'admin.two_factor_reset': 'Two-factor reset',
  'admin.group_created': 'Group created',
  'admin.group_renamed': 'Group renamed',
  'admin.group_deleted': 'Group deleted',
  'admin.group_permissions_changed': 'Group permissions changed',
  'admin.group_members_changed': 'Group members changed',
};

/** The label of an event type (the type itself when unknown). */
export function auditLabel(type: string): string {
  return AUDIT_EVENT_LABELS[type] ?? type;
}

/** `2026-01-31 09:05` in the browser's time zone. */
export function formatWhen(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}
