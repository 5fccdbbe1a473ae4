import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import { AdminRoutes } from '../../client/admin';
import { localDayRange } from '../../client/admin/day-range';
import { ANONYMOUS_SNAPSHOT, type SiteSnapshot } from '../../server/state/protocol';
import { startFakeTrpcServer, type FakeCall, type FakeReply, type FakeTrpcServer } from './fake-trpc-server';
import { mountOnFakeServer } from './mount-on-fake-server';

/** The Audit log page's IP and day filters: what the page asks the server for, in English and Arabic. */
let server: FakeTrpcServer;
const cleanups: (() => unknown)[] = [];

const SITE: Partial<SiteSnapshot> = { siteName: 'Test site', loginUrl: '/login', messages: {}, languages: ['en', 'ar'] };
const ROOT = { ...ANONYMOUS_SNAPSHOT, userId: 1, username: 'root', isAuthenticated: true, isStaff: true, isSuperuser: true };
const EVENT = {
  id: 1,
  at: new Date(2026, 2, 14, 9, 5).getTime(),
  type: 'account.deleted',
  actorId: 5,
  actorName: 'bob',
  targetUserId: 5,
  targetName: 'bob',
  ip: '203.0.113.7',
  userAgent: 'Test/1.0',
  via: 'socket',
  detail: {},
};

function answer(call: FakeCall): FakeReply {
  const data = (value: unknown): FakeReply => ({ data: { data: value, delta: {}, actions: [] } });
  return call.path === 'admin.audit' ? data({ rows: [EVENT], total: 1, page: 1, pageSize: 50 }) : data(null);
}

beforeAll(() => {
  server = startFakeTrpcServer(answer);
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  document.body.innerHTML = '';
  server.calls.length = 0;
});
afterAll(() => server.stop());

async function mount(language: 'en' | 'ar', at = '/admin/audit') {
  const { container, connection, history } = mountOnFakeServer(server, () => <AdminRoutes />, at, cleanups);
  (await connection()).push('statehouse.state', {
    full: true,
    delta: { auth: ROOT, site: SITE, i18n: { language, dir: language === 'ar' ? 'rtl' : 'ltr' }, admin: { revision: 0 } },
    actions: [],
  });
  await server.waitFor(() => container.querySelector('.admin-table tbody tr') !== null);
  return Object.assign(container, { url: () => history.get() });
}

const auditInputs = (): Record<string, unknown>[] =>
  server.calls.filter((c) => c.path === 'admin.audit').map((c) => c.input as Record<string, unknown>);

function set(container: HTMLElement, name: string, value: string, event: 'input' | 'change'): void {
  const input = container.querySelector<HTMLInputElement>(`input[name="${name}"]`)!;
  input.value = value;
  input.dispatchEvent(new Event(event, { bubbles: true }));
}

const labels = (container: HTMLElement): string[] =>
  [...container.querySelectorAll('.admin-filter')].map((l) => l.firstChild?.textContent?.trim() ?? '');

describe('the Audit log page', () => {
  test('asks for an exact IP and the local days from … to as a time range', async () => {
    const container = await mount('en');
    expect(labels(container)).toEqual(['Event', 'User', 'IP', 'From', 'To']);
    expect(container.querySelector<HTMLInputElement>('input[name="ip"]')?.placeholder).toBe('Exact address');
    expect(container.querySelector('.admin-table tbody')?.textContent).toContain('Account deleted');

    set(container, 'ip', ' 203.0.113.7 ', 'input');
    await server.waitFor(() => auditInputs().at(-1)?.ip === '203.0.113.7');
    set(container, 'from', '2026-03-14', 'change');
    await server.waitFor(() => auditInputs().at(-1)?.since !== undefined);
    expect(auditInputs().at(-1)).toMatchObject({ ip: '203.0.113.7', since: new Date(2026, 2, 14).getTime(), page: 1 });
    expect(auditInputs().at(-1)?.before).toBeUndefined();
    set(container, 'to', '2026-03-15', 'change');
    await server.waitFor(() => auditInputs().at(-1)?.before !== undefined);
    expect(auditInputs().at(-1)).toMatchObject({
      ip: '203.0.113.7',
      since: new Date(2026, 2, 14).getTime(),
      before: new Date(2026, 2, 16).getTime(),
    });
    // The two date inputs keep each other in order.
    expect(container.querySelector<HTMLInputElement>('input[name="to"]')?.min).toBe('2026-03-14');
    expect(container.querySelector<HTMLInputElement>('input[name="from"]')?.max).toBe('2026-03-15');

    // Cleared, the filters leave the query.
    set(container, 'ip', '', 'input');
    set(container, 'from', '', 'change');
    set(container, 'to', '', 'change');
    await server.waitFor(() => {
      const last = auditInputs().at(-1)!;
      return last.ip === undefined && last.since === undefined && last.before === undefined;
    });
  });

  test('keeps the filters and the page in the URL: a reload or a shared link shows the same events', async () => {
    const container = await mount('en', '/admin/audit?ip=203.0.113.7&from=2026-03-14&type=account.deleted&page=2');
    expect(auditInputs()[0]).toMatchObject({
      ip: '203.0.113.7',
      since: new Date(2026, 2, 14).getTime(),
      types: ['account.deleted'],
      page: 2,
    });
    expect(container.querySelector<HTMLInputElement>('input[name="ip"]')?.value).toBe('203.0.113.7');
    expect(container.querySelector<HTMLInputElement>('input[name="from"]')?.value).toBe('2026-03-14');
    // A new filter goes into the URL and back to the first page; a cleared one leaves it.
    set(container, 'to', '2026-03-15', 'change');
    await server.waitFor(() => auditInputs().at(-1)?.before !== undefined);
    expect(auditInputs().at(-1)?.page).toBe(1);
    expect(new URLSearchParams(container.url().split('?')[1]).get('to')).toBe('2026-03-15');
    expect(container.url()).not.toContain('page=');
    set(container, 'ip', '', 'input');
    await server.waitFor(() => auditInputs().at(-1)?.ip === undefined);
    expect(container.url()).not.toContain('ip=');
  });

  test('labels the new filters and the event in Arabic', async () => {
    const container = await mount('ar');
    expect(labels(container)).toEqual(['الحدث', 'المستخدم', 'عنوان IP', 'من', 'إلى']);
    expect(container.querySelector<HTMLInputElement>('input[name="ip"]')?.placeholder).toBe('العنوان كاملاً');
    expect(container.querySelector('.admin-table tbody')?.textContent).toContain('حذف الحساب');
  });
});

describe('localDayRange', () => {
  test('runs from the start of the first local day to the start of the day after the last', () => {
    expect(localDayRange('2026-03-14', '2026-03-14')).toEqual({
      since: new Date(2026, 2, 14).getTime(),
      before: new Date(2026, 2, 15).getTime(),
    });
    // Over a month's end, and with either side open.
    expect(localDayRange('', '2026-03-31')).toEqual({ before: new Date(2026, 3, 1).getTime() });
    expect(localDayRange('2026-12-31', '')).toEqual({ since: new Date(2026, 11, 31).getTime() });
    expect(localDayRange('', '')).toEqual({});
    expect(localDayRange('14/03/2026', 'not a day')).toEqual({});
  });

  test("follows the browser's time zone: a day in Riyadh (UTC+3) starts at 21:00 UTC the day before", () => {
    const zone = process.env.TZ;
    process.env.TZ = 'Asia/Riyadh';
    try {
      expect(localDayRange('2026-03-14', '2026-03-14')).toEqual({
        since: Date.UTC(2026, 2, 13, 21),
        before: Date.UTC(2026, 2, 14, 21),
      });
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });
});
