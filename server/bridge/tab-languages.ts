import { MAX_ACCEPT_LANGUAGE_LENGTH } from '../i18n/negotiate';

/**
 * What a tab's connection knows of its languages: the browser's own list
 * from the connection params, and the language stored in the tab's session
 * as the connection last read it (so `languageCode` needs no query).
 * Allocated only when the tab sends its languages or a session language is read.
 */
export class TabLanguages {
  /** The browser's languages (`navigator.languages`, comma-separated, best first). */
  browser: string | null = null;
  /** The session whose language was last read, and that language. */
  private sessionId: string | null = null;
  private ofSession: string | null = null;

  /**
   * The language stored in session `sessionId` as last read: a code, `null`
   * for none, or `undefined` when it was not read.
   */
  knownFor(sessionId: string | null): string | null | undefined {
    return sessionId !== null && sessionId === this.sessionId ? this.ofSession : undefined;
  }

  /** Remembers the language of session `sessionId` (`null` forgets). */
  remember(sessionId: string | null, code: string | null): void {
    this.sessionId = sessionId;
    this.ofSession = sessionId === null ? null : code;
  }

  /** Whether `languages` is an acceptable browser list (a non-empty string within the `Accept-Language` bound). */
  static acceptable(languages: unknown): languages is string {
    return typeof languages === 'string' && languages.length > 0 && languages.length <= MAX_ACCEPT_LANGUAGE_LENGTH;
  }
}
