import { createEffect, Show, type JSX } from 'solid-js';
import { useAuthComponents } from './auth-components';
import { useLanguage, useSite, useStateReady } from './site';

export interface AuthPageFrameProps {
  /** The page's heading, also the start of the document title. */
  title: string;
  children?: JSX.Element;
}

/**
 * What every canned page renders inside: the `Layout` part with the
 * `Header` and `Footer` parts, once the server's first push has arrived
 * (before it, a signed-in visitor would still look anonymous). Sets the
 * document title to "<title> · <site name>".
 *
 * @example
 * <AuthPageFrame title={t().signIn}><form>…</form></AuthPageFrame>
 */
export function AuthPageFrame(props: AuthPageFrameProps): JSX.Element {
  const { Layout, Header, Footer } = useAuthComponents();
  const site = useSite();
  const language = useLanguage();
  const ready = useStateReady();
  createEffect(() => {
    if (ready()) document.title = `${props.title} · ${site().siteName}`;
  });
  return (
    <Show when={ready()}>
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
