import { describe, expect, test } from 'bun:test';
import { takeSignedInSession } from '../../client/state/session-sync';

/** A document whose `cookie` behaves as a browser's: reads join the jar, writes set or expire one cookie. */
function fakeDocument(initial: Record<string, string>): { cookie: string; jar: Map<string, string> } {
  const jar = new Map(Object.entries(initial));
  return {
    jar,
    get cookie() {
      return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    },
    set cookie(line: string) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const [name, value] = pair!.split('=') as [string, string];
      if (attributes.some((a) => a.toLowerCase() === 'max-age=0')) jar.delete(name);
      else jar.set(name, value);
    },
  };
}

describe('the page a sign-in over HTTP lands on', () => {
  test("reads the new session's tag once and expires the cookie", () => {
    const doc = fakeDocument({ theme: 'dark', statehouse_signed_in: 'abcdefghijklmnop' });
    expect(takeSignedInSession(doc)).toBe('abcdefghijklmnop');
    expect(doc.jar.has('statehouse_signed_in')).toBe(false);
    expect(doc.jar.get('theme')).toBe('dark');
    expect(takeSignedInSession(doc)).toBeNull();
  });

  test('a value that is not a session tag is ignored (and still expired)', () => {
    const doc = fakeDocument({ statehouse_signed_in: '<script>' });
    expect(takeSignedInSession(doc)).toBeNull();
    expect(doc.jar.size).toBe(0);
  });

  test('no cookie: nothing to announce', () => {
    expect(takeSignedInSession(fakeDocument({ statehouse_signed_in_not: 'abcdefghijklmnop' }))).toBeNull();
  });
});
