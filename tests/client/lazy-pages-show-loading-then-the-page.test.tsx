import { describe, expect, test } from 'bun:test';
import { A, Route } from '@solidjs/router';
import { createResource, createSignal, type Component } from 'solid-js';
import { lazyPage, loginRequired } from '../../client/auth';
import { ANONYMOUS_SNAPSHOT } from '../../server/state/protocol';
import { fakeServerPerFile, mountOnFakeServer } from './mount-on-fake-server';
import { eventually } from '../helpers/wait-for';

/** A page fetched on first use: Loading… while its chunk loads, the page after, a plea to reload if it cannot load. */
const fake = fakeServerPerFile();

/** A chunk the test delivers (or fails) when it chooses, and how often it was asked for. */
function chunk<P extends object>() {
  const asked: ((result: Component<P> | Error) => void)[] = [];
  const load = () =>
    new Promise<Component<P>>((resolve, reject) => {
      asked.push((result) => (result instanceof Error ? reject(result) : resolve(result)));
    });
  return { load, asked };
}

const text = (container: HTMLElement, selector: string): string | null => container.querySelector(selector)?.textContent ?? null;

describe('lazyPage', () => {
  test('shows Loading… while the chunk loads, then the page', async () => {
    const { load, asked } = chunk();
    const Page = lazyPage(load);
    const { container } = mountOnFakeServer(fake.server, () => <Route path="/settings" component={Page} />, '/settings', fake.cleanups);
    expect(text(container, '[role="status"]')).toBe('Loading…');
    expect(asked).toHaveLength(1);
    asked[0]!(() => <p data-testid="page">settings</p>);
    await eventually(() => expect(text(container, '[data-testid="page"]')).toBe('settings'));
    expect(container.querySelector('[role="status"]')).toBeNull();
  });

  test("the page's own resources do not bring Loading… back when they refetch", async () => {
    const { load, asked } = chunk();
    const [version, setVersion] = createSignal(1);
    let finish: (value: string) => void = () => {};
    const Loaded = () => {
      const [data] = createResource(version, () => new Promise<string>((resolve) => (finish = resolve)));
      return <p data-testid="page">{data() ?? 'no data yet'}</p>;
    };
    const { container } = mountOnFakeServer(fake.server, () => <Route path="/" component={lazyPage(load)} />, '/', fake.cleanups);
    asked[0]!(Loaded);
    await eventually(() => expect(text(container, '[data-testid="page"]')).toBe('no data yet'));
    finish('first');
    await eventually(() => expect(text(container, '[data-testid="page"]')).toBe('first'));
    setVersion(2);
    expect(text(container, '[data-testid="page"]')).not.toBeNull();
    expect(container.querySelector('[role="status"]')).toBeNull();
    finish('second');
    await eventually(() => expect(text(container, '[data-testid="page"]')).toBe('second'));
  });

  test('a chunk that cannot load asks for a reload instead of leaving the page blank', async () => {
    const { load, asked } = chunk();
    const { container } = mountOnFakeServer(fake.server, () => <Route path="/" component={lazyPage(load)} />, '/', fake.cleanups);
    asked[0]!(new Error('Failed to fetch dynamically imported module'));
    await eventually(() => expect(text(container, '[role="alert"]')).toBe('This page could not be loaded. Reload to try again.'));
    expect(container.querySelector('[role="status"]')).toBeNull();
  });

  test('preload() fetches the code once, shows nothing, and the page then needs no second fetch', async () => {
    const { load, asked } = chunk();
    const Page = lazyPage(load);
    const first = Page.preload();
    void Page.preload();
    expect(asked).toHaveLength(1);
    asked[0]!(() => <p data-testid="page">settings</p>);
    await first;
    const { container } = mountOnFakeServer(fake.server, () => <Route path="/settings" component={Page} />, '/settings', fake.cleanups);
    await eventually(() => expect(text(container, '[data-testid="page"]')).toBe('settings'));
    expect(asked).toHaveLength(1);
  });

  test('a preload that fails rejects nothing, and showing the page then tries again', async () => {
    const { load, asked } = chunk();
    const Page = lazyPage(load);
    const preloaded = Page.preload();
    asked[0]!(new Error('Failed to fetch dynamically imported module'));
    await preloaded;
    const { container } = mountOnFakeServer(fake.server, () => <Route path="/" component={Page} />, '/', fake.cleanups);
    expect(text(container, '[role="status"]')).toBe('Loading…');
    expect(asked).toHaveLength(2);
    asked[1]!(() => <p data-testid="page">home</p>);
    await eventually(() => expect(text(container, '[data-testid="page"]')).toBe('home'));
  });

  test('the mouse resting on a link to a page behind loginRequired fetches its code before the click', async () => {
    const { load, asked } = chunk();
    const Settings = loginRequired(lazyPage(load));
    const Home = () => <A href="/settings">Settings</A>;
    const mounted = mountOnFakeServer(
      fake.server,
      () => (
        <>
          <Route path="/" component={Home} />
          <Route path="/settings" component={Settings} />
        </>
      ),
      '/',
      fake.cleanups,
    );
    (await mounted.connection()).push('statehouse.state', {
      full: true,
      delta: { auth: { ...ANONYMOUS_SNAPSHOT, userId: 2, username: 'alice', isAuthenticated: true } },
      actions: [],
    });
    await eventually(() => expect(mounted.container.querySelector('a[href="/settings"]')).not.toBeNull());
    expect(asked).toHaveLength(0);
    mounted.container.querySelector('a[href="/settings"]')!.dispatchEvent(new MouseEvent('mousemove', { bubbles: true, button: 0 }));
    await eventually(() => expect(asked).toHaveLength(1));
    expect(mounted.container.textContent).toBe('Settings');
  });
});
