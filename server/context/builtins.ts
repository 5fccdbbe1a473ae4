import type { Database } from '../../db/client';
import { permissionMapOf, type PermissionMap } from '../auth/permissions';
import type { AuthUser } from '../auth/user';
import { DEFAULT_USER_MODEL, type UserModel } from '../auth/user-model';
import type { SnapshotFields } from '../state/protocol';
import type { EventRequest } from '../request';
import type { StatehouseConfig } from '../config';
import { directionOf } from '../i18n/catalog';

/** What {@link siteProcessor} adds. */
export type SiteContext = {
  SITE_NAME: string;
};

/** What {@link languageProcessor} adds (Django's `i18n` context processor). */
export type LanguageContext = {
  /** The event's language (cookie, then session, then `Accept-Language`). */
  LANGUAGE_CODE: string;
  /** Every configured language as `[code, name in that language]`. */
  LANGUAGES: readonly (readonly [code: string, name: string])[];
  /** Whether the event's language is written right to left. */
  LANGUAGE_BIDI: boolean;
};

/** A JSON-safe copy of the live user: never the live object itself (with the app's `snapshot` fields, typed through `Register`). */
export type UserSnapshot = SnapshotFields & {
  id: number | null;
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  isAuthenticated: boolean;
  isActive: boolean;
  isStaff: boolean;
  isSuperuser: boolean;
  dateJoined: number | null;
  lastLogin: number | null;
};

/** What {@link userSnapshotProcessor} adds. */
export type UserSnapshotContext = {
  user: UserSnapshot;
};

/** What {@link permissionsProcessor} adds (Django's `perms` in templates). */
export type PermissionsContext = {
  /** The user's permissions by app label, then codename: `PERMS.notes?.add_note`. */
  PERMS: PermissionMap;
};

/** The merged context of the built-in processors. */
export type BuiltinContext = SiteContext & LanguageContext & UserSnapshotContext & PermissionsContext;

/**
 * `{ SITE_NAME }` from `config.siteName`.
 *
 * @example
 * loadConfig({ siteName: 'Acme', contextProcessors: [siteProcessor] });
 */
export function siteProcessor(_request: EventRequest, _user: AuthUser, config: StatehouseConfig): SiteContext {
  return { SITE_NAME: config.siteName };
}

const languageLists = new WeakMap<readonly string[], LanguageContext['LANGUAGES']>();

/** The configured languages with their own names, computed once per list. */
function languagesOf(codes: readonly string[]): LanguageContext['LANGUAGES'] {
  let list = languageLists.get(codes);
  if (!list) {
    list = Object.freeze(codes.map((code) => Object.freeze([code, nativeNameOf(code)] as const)));
    languageLists.set(codes, list);
  }
  return list;
}

function nativeNameOf(code: string): string {
  try {
    return new Intl.DisplayNames([code], { type: 'language' }).of(code) ?? code;
  } catch {
    return code;
  }
}

/**
 * `{ LANGUAGE_CODE, LANGUAGES, LANGUAGE_BIDI }`: the event's language (the
 * session-aware `request.language()`), the configured languages and the
 * text direction.
 *
 * @example
 * loadConfig({ languages: ['en', 'ar'], contextProcessors: [languageProcessor] });
 */
export async function languageProcessor(request: EventRequest, _user: AuthUser, config: StatehouseConfig): Promise<LanguageContext> {
  const code = await request.language();
  return { LANGUAGE_CODE: code, LANGUAGES: languagesOf(config.languages), LANGUAGE_BIDI: directionOf(code) === 'rtl' };
}

/**
 * `{ user }`: a plain, JSON-safe snapshot of the live user (a new object
 * every time), safe to hand to templates or to send to the browser: the
 * fields of the `auth` snapshot's kind, with the app's own `snapshot` fields
 * (`defineUserModel({ snapshot })`; `null` when unset, absent for the
 * anonymous user) and never the others.
 *
 * @example
 * const { user } = await ctx.request.loadContext<UserSnapshotContext>();
 */
export function userSnapshotProcessor(
  _request: EventRequest,
  user: AuthUser,
  _config?: StatehouseConfig,
  _db?: Database,
  userModel: UserModel = DEFAULT_USER_MODEL,
): UserSnapshotContext {
  const own: Record<string, unknown> = {};
  if (user.isAuthenticated) for (const name of userModel.snapshotFields) own[name] = user[name as keyof AuthUser] ?? null;
  return {
    user: {
      ...(own as SnapshotFields),
      id: user.id,
      username: user.username,
      email: user.email ?? user.pendingEmail ?? '',
      firstName: user.firstName,
      lastName: user.lastName,
      isAuthenticated: user.isAuthenticated,
      isActive: user.isActive,
      isStaff: user.isStaff,
      isSuperuser: user.isSuperuser,
      dateJoined: user.dateJoined,
      lastLogin: user.lastLogin,
    },
  };
}

/**
 * `{ PERMS }`: every permission the live user holds, by app label then
 * codename (an active superuser holds every permission that exists; the
 * anonymous user none), as Django's `auth` context processor gives templates
 * `perms`. JSON-safe; read from the user's grants, loaded once per live user.
 *
 * @example
 * const { PERMS } = await ctx.request.loadContext<PermissionsContext>();
 * if (PERMS.notes?.delete_note) ...
 */
export function permissionsProcessor(
  _request: EventRequest,
  user: AuthUser,
  _config: StatehouseConfig,
  db: Database,
): Promise<PermissionsContext> {
  return permissionMapOf(db, user).then((PERMS) => ({ PERMS }));
}
