import { describe, expect, spyOn, test } from 'bun:test';
import { ADMIN_CATALOGS, ADMIN_EN, AdminRoutes, type AdminMessages } from '../../client/admin';
import { AUTH_CATALOGS, AUTH_EN, type AuthMessages } from '../../client/auth/messages';
import type { SiteSnapshot } from '../../server/state/protocol';
import { answerAdminReads, ROOT } from './admin-fixtures';
import { fakeServerPerFile, mountOnFakeServer } from './mount-on-fake-server';

/** The admin console in the tab's language: Arabic texts, right to left; and its Delete user button. */
const fake = fakeServerPerFile(answerAdminReads);

const SITE: Partial<SiteSnapshot> = { siteName: 'Test site', loginUrl: '/login', messages: {}, languages: ['en', 'ar'] };
async function mount(start: string, language: string) {
  const { container, history, connection, client } = mountOnFakeServer(fake.server, () => <AdminRoutes />, start, fake.cleanups);
  (await connection()).push('statehouse.state', {
    full: true,
    delta: { auth: ROOT, site: SITE, i18n: { language, dir: language === 'ar' ? 'rtl' : 'ltr' }, admin: { revision: 0 } },
    actions: [],
  });
  return { container, history, client };
}

/** A catalog the test delivers when it chooses (never, if it likes). */
function deferred<T>() {
  const asked: ((catalog: T) => void)[] = [];
  return { asked, load: () => new Promise<T>((resolve) => asked.push(resolve)) };
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
    fake.cleanups.push(() => observer.disconnect());
    const { container } = await mount('/admin/users/5', 'ar');
    await fake.server.waitFor(() => container.querySelector('#user-title')?.textContent === 'bob');
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
    await fake.server.waitFor(() => container.querySelector('.admin-pager') !== null);
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
    await fake.server.waitFor(() => buttons(container).includes('Delete user'));
    clickButton(container, 'Delete user');
    expect(fake.server.calls.some((c) => c.path === 'admin.users.delete')).toBe(false);
    clickButton(container, 'Yes, delete bob');
    await fake.server.waitFor(() => fake.server.calls.some((c) => c.path === 'admin.users.delete'));
    expect(fake.server.calls.find((c) => c.path === 'admin.users.delete')?.input).toEqual({ id: 5 });
    await fake.server.waitFor(() => history.get() === '/admin/users');
  });

  test('say Loading… while the console’s texts load, fetched beside the pages’ texts, then show them', async () => {
    // Private-use codes (qaa–qtz): languages no other test knows.
    const pages = deferred<AuthMessages>();
    const admin = deferred<AdminMessages>();
    AUTH_CATALOGS.add('qaf', pages.load);
    ADMIN_CATALOGS.add('qaf', admin.load);
    const { container } = await mount('/admin/users', 'qaf');
    await fake.server.waitFor(() => pages.asked.length === 1 && admin.asked.length === 1);
    await fake.server.waitFor(() => container.querySelector('.admin-loading')?.textContent === ADMIN_EN.loading);
    pages.asked[0]!(AUTH_EN);
    admin.asked[0]!({ ...ADMIN_EN, administration: 'Qaf administration' });
    await fake.server.waitFor(() => container.querySelector('#admin-title')?.textContent === 'Qaf administration');
    expect(container.querySelector('.admin-loading')).toBeNull();
    expect(container.querySelector('section.admin')?.getAttribute('lang')).toBe('qaf');
  });

  test('texts that never arrive leave the console in English after the timeout, and a toast says so', async () => {
    const admin = deferred<AdminMessages>();
    ADMIN_CATALOGS.add('qag', admin.load);
    const timeout = ADMIN_CATALOGS.timeoutMs;
    ADMIN_CATALOGS.timeoutMs = 50;
    fake.cleanups.push(() => (ADMIN_CATALOGS.timeoutMs = timeout));
    const errors = spyOn(console, 'error').mockImplementation(() => undefined);
    fake.cleanups.push(() => errors.mockRestore());
    const { container, client } = await mount('/admin/users', 'qag');
    await fake.server.waitFor(() => container.querySelector('#admin-title')?.textContent === ADMIN_EN.administration);
    expect(ADMIN_CATALOGS.status('qag')).toBe('failed');
    expect(container.querySelector('section.admin')?.getAttribute('lang')).toBe('en');
    await fake.server.waitFor(() => client.toasts.some((t) => t.message === AUTH_EN.languageLoadFailed));
    expect(errors.mock.calls.some((args) => String(args[0]).includes('"qag"'))).toBe(true);
  });
});
