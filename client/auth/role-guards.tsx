import { splitProps, type JSX } from 'solid-js';
import type { AuthSnapshot } from '../../server/shared';
import { RequireUser, type GuardProps } from './require-user';

/** Staff, as the server's `staffRequired()` sees it (superusers need `isStaff` too). */
export function isStaffSnapshot(auth: AuthSnapshot): boolean {
  return auth.isStaff;
}

/**
 * Renders its children for staff users (`isStaff`), like the server's
 * `staffRequired()`. Anonymous visitors go to log in; others see a refusal
 * (or `fallback`).
 *
 * @example
 * <RequireStaff fallback={<p>Staff only.</p>}><AuditLog /></RequireStaff>
 */
export function RequireStaff(props: GuardProps): JSX.Element {
  return <RequireUser test={isStaffSnapshot} {...props} />;
}

/**
 * Renders its children for superusers only, like `superuserRequired()`.
 *
 * @example
 * <RequireSuperuser><DangerZone /></RequireSuperuser>
 */
export function RequireSuperuser(props: GuardProps): JSX.Element {
  return <RequireUser test={(auth) => auth.isSuperuser} {...props} />;
}

export interface RequireGroupProps extends GuardProps {
  /** The group's name. */
  name: string;
}

/**
 * Renders its children for members of a group (superusers pass, as in
 * `groupRequired()`). The snapshot carries group names only when the server
 * sets `auth.snapshotIncludeGroups: true`; otherwise only superusers pass.
 *
 * @example
 * <RequireGroup name="editors"><Editor /></RequireGroup>
 */
export function RequireGroup(props: RequireGroupProps): JSX.Element {
  const [local, guard] = splitProps(props, ['name']);
  return <RequireUser test={(auth) => auth.isSuperuser || auth.groupNames.includes(local.name)} {...guard} />;
}
