import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { guarded, publicProcedure } from '../bridge/bridge';
import { recentAuth } from '../bridge/account-guards';
import { authed } from '../bridge/guards';
import { router } from '../bridge/trpc';
import { messageFor } from '../i18n/catalog';
import { listAuditEvents } from '../auth/audit';
import type { RegistrationFields } from '../state/protocol';
import { sitePathSchema } from '../state/app-actions';
import { passkeyProcedures } from './passkey-procedures';
import { signInMethodProcedures } from './sign-in-methods';
import { twoFactorProcedures } from './two-factor-procedures';
import { isSecondStepPending } from '../auth/auth-api';

const loginInput = z.object({
  loginId: z.string().trim().min(1, 'Enter your username.').max(256),
  password: z.string().min(1, 'Enter your password.').max(256),
  /** Where this tab lands once signed in (default: a safe `?next=` of the page, else `auth.loginRedirectUrl`). */
  to: sitePathSchema.optional(),
});

/** Where this tab lands once signed out (default: `auth.logoutRedirectUrl`, else `auth.loginUrl`). */
const logoutInput = z.object({ to: sitePathSchema.optional() }).optional();

const registerInput = z
  .object({
    username: z.string().trim().min(1, 'Enter a username.').max(150),
    email: z.string().trim().max(254).email('Enter a valid email address.').or(z.literal('')),
    password: z.string().min(1, 'Enter a password.').max(256),
    confirmPassword: z.string().max(256),
    /** The app's extra sign-up fields: checked in full by its user model's `registration`. */
    fields: (
      z.record(z.string().max(64), z.unknown()).refine((v) => Object.keys(v).length <= 32, 'Too many fields.') as unknown as z.ZodType<
        Partial<RegistrationFields>
      >
    ).optional(),
    /** Where this tab lands once signed up (default as for `login`). */
    to: sitePathSchema.optional(),
  })
  .refine((v) => v.password === v.confirmPassword, {
    path: ['confirmPassword'],
    message: 'The two password fields didn’t match.',
  });

const changePasswordInput = z
  .object({
    currentPassword: z.string().min(1).max(256),
    newPassword: z.string().min(1).max(256),
    confirmPassword: z.string().max(256),
  })
  .refine((v) => v.newPassword === v.confirmPassword, {
    path: ['confirmPassword'],
    message: 'The two password fields didn’t match.',
  });

const tokenInput = z.object({ token: z.string().max(140) });

/** Django's message for a failed login: says nothing about which part was wrong. */
export const INVALID_LOGIN_MESSAGE = 'Please enter a correct username and password. Note that both fields may be case-sensitive.';

/** How many of their own events Settings shows a user. */
const SECURITY_ACTIVITY_LIMIT = 20;

/** The canned auth procedures the built-in pages call (`auth.*`). */
export const authRouter = router({
  login: publicProcedure.input(loginInput).mutation(async function login({ ctx, input }) {
    const user = await ctx.auth.login(input.loginId, input.password, input.to === undefined ? {} : { to: input.to });
    if (!user) {
      throw new TRPCError({
        code: 'UNAUTHORIZED',
        message: messageFor(ctx.request.languageCode, 'invalidLogin', ctx.runtime.config.auth.messages),
      });
    }
    // Two-factor: no session yet; the tab answers the second step on its page.
    if (isSecondStepPending(user)) {
      ctx.actions.navigate(user.to);
      return { secondStep: true as const };
    }
    return { username: user.username };
  }),

  logout: publicProcedure.input(logoutInput).mutation(async function logout({ ctx, input }) {
    await ctx.auth.logout(input?.to === undefined ? {} : { to: input.to });
    return null;
  }),

  register: publicProcedure.input(registerInput).mutation(async function register({ ctx, input }) {
    const user = await ctx.auth.register(
      { username: input.username, email: input.email || null, password: input.password, fields: input.fields },
      input.to === undefined ? {} : { to: input.to },
    );
    return { username: user.username };
  }),

  changePassword: guarded(recentAuth())
    .input(changePasswordInput)
    .mutation(async function changePassword({ ctx, input }) {
      await ctx.auth.changePassword(input.currentPassword, input.newPassword);
      ctx.actions.toast('success', messageFor(ctx.request.languageCode, 'passwordChanged', ctx.runtime.config.auth.messages));
      return null;
    }),

  requestPasswordReset: publicProcedure
    .input(z.object({ email: z.string().trim().min(1, 'Enter your email address.').max(254).email('Enter a valid email address.') }))
    .mutation(async function requestPasswordReset({ ctx, input }) {
      await ctx.auth.requestPasswordReset(input.email);
      return { sent: true as const };
    }),

  checkPasswordResetToken: publicProcedure.input(z.object({ token: z.string().max(140) })).query(async function checkPasswordResetToken({
    ctx,
    input,
  }) {
    return { valid: await ctx.auth.checkPasswordResetToken(input.token) };
  }),

  confirmPasswordReset: publicProcedure
    .input(
      z
        .object({
          token: z.string().max(140),
          newPassword: z.string().min(1, 'Enter a new password.').max(256),
          confirmPassword: z.string().max(256),
        })
        .refine((v) => v.newPassword === v.confirmPassword, {
          path: ['confirmPassword'],
          message: 'The two password fields didn’t match.',
        }),
    )
    .mutation(async function confirmPasswordReset({ ctx, input }) {
      const user = await ctx.auth.confirmPasswordReset(input.token, input.newPassword);
      // Two-factor: the password is set, the sign-in waits for the second step on its page.
      if (isSecondStepPending(user)) {
        ctx.actions.navigate(user.to);
        return { secondStep: true as const };
      }
      return { username: user.username };
    }),

  verifyEmail: publicProcedure.input(tokenInput).mutation(async function verifyEmail({ ctx, input }) {
    if (!(await ctx.auth.verifyEmail(input.token))) {
      throw new TRPCError({
        code: 'BAD_REQUEST',
        message: messageFor(ctx.request.languageCode, 'verifyEmailLinkInvalid', ctx.runtime.config.auth.messages),
      });
    }
    return { verified: true as const };
  }),

  resendVerificationEmail: guarded(authed()).mutation(async function resendVerificationEmail({ ctx }) {
    await ctx.auth.resendVerificationEmail();
    ctx.actions.toast('info', messageFor(ctx.request.languageCode, 'verificationEmailSent', ctx.runtime.config.auth.messages));
    return { sent: true as const };
  }),

  changeEmail: guarded(recentAuth())
    .input(z.object({ email: z.string().trim().min(1, 'Enter your email address.').max(254).email('Enter a valid email address.') }))
    .mutation(async function changeEmail({ ctx, input }) {
      await ctx.auth.requestEmailChange(input.email);
      ctx.actions.toast('info', messageFor(ctx.request.languageCode, 'emailChangeRequested', ctx.runtime.config.auth.messages));
      return { sent: true as const };
    }),

  confirmIdentity: guarded(authed())
    .input(
      z.union([
        z.object({ password: z.string().min(1, 'Enter your password.').max(256) }),
        z.object({ code: z.string().trim().min(1, 'Enter the code from your authenticator app.').max(16) }),
      ]),
    )
    .mutation(async function confirmIdentity({ ctx, input }) {
      if ('code' in input) await ctx.auth.twoFactor.confirmIdentity(input.code, ctx.request.languageCode);
      else await ctx.auth.confirmIdentity(input.password);
      return { confirmed: true as const };
    }),

  deleteAccount: guarded(recentAuth()).mutation(async function deleteAccount({ ctx }) {
    await ctx.auth.deleteAccount();
    ctx.actions.toast('info', messageFor(ctx.request.languageCode, 'accountDeleted', ctx.runtime.config.auth.messages));
    return null;
  }),

  sessions: guarded(authed()).query(async function sessions({ ctx }) {
    return (await ctx.auth.sessions()).map((s) => ({
      id: s.id,
      current: s.current,
      userAgent: s.userAgent,
      ip: s.ip,
      createdAt: s.createdAt,
      lastSeenAt: s.lastVerifiedAt,
      signInMethod: s.signInMethod,
    }));
  }),

  revokeSession: guarded(authed())
    .input(z.object({ sessionId: z.string().min(1).max(64) }))
    .mutation(async function revokeSession({ ctx, input }) {
      // Another user's session id is "not found": never reveal that it exists.
      if (!(await ctx.auth.revokeSession(input.sessionId))) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such session.' });
      return null;
    }),

  /** The signed-in user's own recent security events (Settings → Recent security activity). */
  securityActivity: guarded(authed()).query(async function securityActivity({ ctx }) {
    const { rows } = await listAuditEvents(ctx.db, { targetUserId: ctx.user.id, limit: SECURITY_ACTIVITY_LIMIT });
    // What the account's owner may see: no other user's id, no admin's name.
    return rows.map((e) => ({
      id: e.id,
      at: e.at,
      type: e.type,
      ip: e.ip,
      userAgent: e.userAgent,
      byAdmin: e.actorId !== null && e.actorId !== ctx.user.id,
    }));
  }),

  revokeOtherSessions: guarded(recentAuth()).mutation(async function revokeOtherSessions({ ctx }) {
    const current = ctx.session.id;
    const ended = await ctx.auth.invalidateUserSessions(ctx.user.id, current ? { except: current } : {});
    return { ended: ended.length };
  }),

  ...signInMethodProcedures,
  ...passkeyProcedures,
  ...twoFactorProcedures,
});
