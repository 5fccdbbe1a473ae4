import { z } from 'zod';
import { validationFailed } from '../errors';
import { publicProcedure } from '../bridge/bridge';
import { router, type EventContext } from '../bridge/trpc';
import { messagesFor } from '../i18n/catalog';
import { LANGUAGE_COOKIE, LANGUAGE_SESSION_KEY } from '../i18n/negotiate';
import { i18nSlice, languageStateOf } from '../i18n/slice';

const setLanguageInput = z.object({ language: z.string().trim().min(1).max(35) });

/**
 * Sets the `i18n` slice of a tab to its negotiated language as the tab
 * subscribes (once per connection; a resumed tab is corrected too).
 */
export async function seedLanguageSlice(ctx: EventContext): Promise<void> {
  ctx.state.set(i18nSlice, languageStateOf(await ctx.request.language()));
}

/** Built-in language procedures, under `i18n.*`. */
export const i18nRouter = router({
  /**
   * Chooses the visitor's language: checked against `config.languages`,
   * kept in the session (an anonymous visitor gets one, with a cookie sync),
   * and pushed into the `i18n` slice of this tab and, through the identity
   * bus, of the session's other open tabs on every process.
   */
  setLanguage: publicProcedure.input(setLanguageInput).mutation(async function setLanguage({ ctx, input }) {
    const { languages } = ctx.runtime.config;
    const code = languages.find((c) => c.toLowerCase() === input.language.toLowerCase());
    if (!code) {
      throw validationFailed([
        {
          field: 'language',
          code: 'invalid_choice',
          message: `Select a valid choice. ${input.language} is not one of the available choices.`,
        },
      ]);
    }
    await ctx.session.set(LANGUAGE_SESSION_KEY, code);
    if (ctx.connection.cookies.has(LANGUAGE_COOKIE)) ctx.connection.cookies.set(LANGUAGE_COOKIE, code);
    ctx.event.request.useLanguage(code);
    const state = languageStateOf(code);
    ctx.state.set(i18nSlice, state);
    const sessionId = ctx.session.id;
    // The session's other tabs, on this process and (over a shared bus) on every other.
    if (sessionId) await ctx.runtime.bus.publish({ type: 'session-language', sessionId, language: code });
    return state;
  }),

  /** The event's language, its direction and the auth pages' messages (with `auth.messages` applied). */
  messages: publicProcedure.query(async function messages({ ctx }) {
    const language = await ctx.request.language();
    return { ...languageStateOf(language), messages: messagesFor(language, ctx.runtime.config.auth.messages) };
  }),
});
