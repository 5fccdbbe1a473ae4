import { Show, type JSX } from 'solid-js';
import { LanguagePicker } from './language-picker';

export interface AuthLayoutProps {
  /** The page's heading, e.g. "Sign in". */
  title: string;
  /** The rendered `Header` part. */
  header: JSX.Element;
  /** The rendered `Footer` part. */
  footer: JSX.Element;
  /** The tab's language and direction, for `lang` and `dir`. */
  language: string;
  dir: 'ltr' | 'rtl';
  children?: JSX.Element;
}

/**
 * The frame of every canned page: a centred card with the header, the
 * page's `<h1>`, the form and the footer.
 *
 * @example
 * const Layout = (props: AuthLayoutProps) => <div class="my-card">{props.header}<h1>{props.title}</h1>{props.children}</div>;
 * <AuthRoutes components={{ Layout }} />
 */
export function AuthLayout(props: AuthLayoutProps): JSX.Element {
  return (
    <div class="sh-auth" lang={props.language} dir={props.dir}>
      <div class="sh-auth-card">
        {props.header}
        <h1 class="sh-auth-title">{props.title}</h1>
        {props.children}
        {props.footer}
      </div>
    </div>
  );
}

export interface AuthHeaderProps {
  siteName: string;
}

/**
 * The default header of the canned pages: the site's name.
 *
 * @example
 * <AuthRoutes components={{ Header: (props) => <img src="/logo.svg" alt={props.siteName} /> }} />
 */
export function AuthHeader(props: AuthHeaderProps): JSX.Element {
  return <p class="sh-auth-site">{props.siteName}</p>;
}

export interface AuthFooterProps {
  /** The languages the site speaks (`site.languages`). */
  languages: readonly string[];
}

/**
 * The default footer of the canned pages: a language picker when the site
 * speaks more than one language.
 *
 * @example
 * <AuthRoutes components={{ Footer: () => <p class="fine-print">© Acme</p> }} />
 */
export function AuthFooter(props: AuthFooterProps): JSX.Element {
  return (
    <Show when={props.languages.length > 1}>
      <div class="sh-auth-footer">
        <LanguagePicker />
      </div>
    </Show>
  );
}
