import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import { AdminRoutes } from '../../client/admin';
import { ANONYMOUS_SNAPSHOT, type SiteSnapshot } from '../../server/state/protocol';
import { startFakeTrpcServer, type FakeCall, type FakeReply, type FakeTrpcServer } from './fake-trpc-server';
import { mountOnFakeServer } from './mount-on-fake-server';

/** The admin console in the tab's language: Arabic texts, right to left; and its Delete user button. */
let server: FakeTrpcServer;
const cleanups: (() => unknown)[] = [];

const SITE: Partial<SiteSnapshot> = { siteName: 'Test site', loginUrl: '/login', messages: {}, languages: ['en', 'ar'] };
const ROOT = { ...ANONYMOUS_SNAPSHOT, userId: 1, username: 'root', isAuthenticated: true, isStaff: true, isSuperuser: true };
const BOB = {
  id: 5,
  username: 'bob',
  email: 'bob@example.com',
  firstName: '',
  lastName: '',
  isActive: true,
  isStaff: false,
  isSuperuser: false,
  dateJoined: Date.UTC(2026, 0, 31, 9, 5),
  lastLogin: null,
};

function answer(call: FakeCall): FakeReply {
  const data = (value: unknown): FakeReply => ({ data: { data: value, delta: {}, actions: [] } });
  switch (call.path) {
    case 'admin.users.get':
      return data({ user: BOB, groups: [], permissions: [], sessions: [], mayDelete: true });
    case 'admin.users.list':
      return data({ rows: [BOB], total: 1, page: 1, pageSize: 25 });
    case 'admin.groups.list':
    case 'admin.permissions':
      return data([]);
    default:
      return data(null);
  }
}

beforeAll(() => {
  server = startFakeTrpcServer(answer);
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  document.body.innerHTML = '';
});
afterAll(() => server.stop());

async function mount(start: string, language: 'en' | 'ar') {
  const { container, history, connection } = mountOnFakeServer(server, () => <AdminRoutes />, start, cleanups);
  (await connection()).push('statehouse.state', {
    full: true,
    delta: { auth: ROOT, site: SITE, i18n: { language, dir: language === 'ar' ? 'rtl' : 'ltr' }, admin: { revision: 0 } },
    actions: [],
  });
  return { container, history };
}

const buttons = (container: HTMLElement): string[] => [...container.querySelectorAll('button')].map((b) => b.textContent ?? '');
const clickButton = (container: HTMLElement, text: string): void =>
  [...container.querySelectorAll('button')].find((b) => b.textContent === text)!.click();

describe('the admin pages', () => {
  test('speak Arabic, right to left, when the tab does, with no English heading before the Arabic texts are in', async () => {
    const headings: string[] = [];
    const observer = new MutationObserver(() => {
      const text = document.querySelector('#admin-title')?.textContent;
      if (text && headings.at(-1) !== text) headings.push(text);
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    cleanups.push(() => observer.disconnect());
    const { container } = await mount('/admin/users/5', 'ar');
    await server.waitFor(() => container.querySelector('#user-title')?.textContent === 'bob');
    expect(headings).toEqual(['الإدارة']);
    const section = container.querySelector('section.admin')!;
    expect(section.getAttribute('dir')).toBe('rtl');
    expect(section.getAttribute('lang')).toBe('ar');
    expect(container.querySelector('#admin-title')?.textContent).toBe('الإدارة');
    expect([...container.querySelectorAll('.admin-nav a')].map((a) => a.textContent)).toEqual(['المستخدمون', 'المجموعات', 'سجل التدقيق']);
    expect(buttons(container)).toEqual(
      expect.arrayContaining(['حفظ', 'تعطيل', 'إرسال رسالة إعادة تعيين كلمة المرور', 'حذف المستخدم', 'تسجيل الخروج من كل مكان']),
    );
    // No English left on the page but the user's own data.
    expect(container.textContent).not.toMatch(/Save|Deactivate|Delete user|Sessions|Profile|Status/);
  });

  test('list users in Arabic with an Arabic pager', async () => {
    const { container } = await mount('/admin/users', 'ar');
    await server.waitFor(() => container.querySelector('.admin-pager') !== null);
    expect(container.querySelector('.admin-pager span')?.textContent).toBe('الصفحة 1 من 1 · 1 مستخدم');
    expect([...container.querySelectorAll('th')].map((th) => th.textContent?.replace(/ [▲▼]$/, ''))).toEqual([
      'اسم المستخدم',
      'البريد الإلكتروني',
      'الاسم',
      'الحالة',
      'تاريخ الانضمام',
      'آخر تسجيل دخول',
    ]);
  });

  test('Delete user asks once more, then calls admin.users.delete and goes back to the list', async () => {
    const { container, history } = await mount('/admin/users/5', 'en');
    await server.waitFor(() => buttons(container).includes('Delete user'));
    clickButton(container, 'Delete user');
    expect(server.calls.some((c) => c.path === 'admin.users.delete')).toBe(false);
    clickButton(container, 'Yes, delete bob');
    await server.waitFor(() => server.calls.some((c) => c.path === 'admin.users.delete'));
    expect(server.calls.find((c) => c.path === 'admin.users.delete')?.input).toEqual({ id: 5 });
    await server.waitFor(() => history.get() === '/admin/users');
  });
});
