import { createEffect, createSignal, onCleanup, Show, type JSX } from 'solid-js';
import { useAuthComponents } from './auth-components';
import { useAuthMessages } from './auth-context';
import { useLanguage, usePagesShown, useSite } from './site';

/** How long the page stays blank before it says it is still connecting. */
const CONNECTING_NOTICE_DELAY_MS = 800;

export interface AuthPageFrameProps {
  /** The page's heading, also the start of the document title. */
  title: string;
  children?: JSX.Element;
}

/**
 * What every canned page renders inside: the `Layout` part with the
 * `Header` and `Footer` parts, once the server's first push has arrived
 * (before it, a signed-in visitor would still look anonymous) and the texts
 * of the language it names are in (a page in Arabic never shows English
 * first); when that takes long, it says "Connecting…". Later changes of
 * language keep the page shown (this page and any other opened meanwhile: the
 * flag is the client's, see `usePagesShown`), in the previous language until
 * the new one's texts are in. Sets the document title to
 * "<title> · <site name>".
 *
 * @example
 * <AuthPageFrame title={t().signIn}><form>…</form></AuthPageFrame>
 */
export function AuthPageFrame(props: AuthPageFrameProps): JSX.Element {
  const { Layout, Header, Footer } = useAuthComponents();
  const site = useSite();
  const language = useLanguage();
  // Kept per client, not per page: a page opened while a change of language loads shows at once.
  const ready = usePagesShown();
  const t = useAuthMessages();
  const [slow, setSlow] = createSignal(false);
  const timer = setTimeout(() => setSlow(true), CONNECTING_NOTICE_DELAY_MS);
  onCleanup(() => clearTimeout(timer));
  createEffect(() => {
    if (ready()) document.title = `${props.title} · ${site().siteName}`;
  });
  return (
    <Show
      when={ready()}
      fallback={
        <Show when={slow()}>
          <p class="sh-connecting" role="status">
            {t().connecting}
          </p>
        </Show>
      }
    >
      <Layout
        title={props.title}
        language={language().language}
        dir={language().dir}
        header={<Header siteName={site().siteName} />}
        footer={<Footer languages={site().languages} />}
      >
        {props.children}
      </Layout>
    </Show>
  );
}
