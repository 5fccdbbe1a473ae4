import { describe, expect, test } from 'bun:test';
import { RecentRotations } from '../../../server/auth/recent-rotations';
import { sessionTag } from '../../../server/auth/session';

describe('recent rotations', () => {
  test('a rotation is known by its old id and by its tag, with its new id once committed', () => {
    const rotations = new RecentRotations();
    rotations.mark('old-id', 7);
    expect(rotations.of('old-id')).toEqual({ newSessionId: '', userId: 7, until: expect.any(Number) } as never);
    rotations.completed('old-id', 'new-id');
    expect(rotations.of('old-id')?.newSessionId).toBe('new-id');
    expect(rotations.hasTag(sessionTag('old-id'))).toBe(true);
    expect(rotations.of('other-id')).toBeNull();
    expect(rotations.hasTag(sessionTag('other-id'))).toBe(false);
  });

  test('is forgotten after a minute', () => {
    let now = 1_000_000;
    const rotations = new RecentRotations(() => now);
    rotations.mark('old-id', null);
    now += 59_000;
    expect(rotations.of('old-id')).not.toBeNull();
    now += 2_000;
    expect(rotations.of('old-id')).toBeNull();
    expect(rotations.hasTag(sessionTag('old-id'))).toBe(false);
    // Expired entries leave on the next mark.
    rotations.mark('next-id', null);
    expect(rotations.of('next-id')).not.toBeNull();
  });

  test('a rotation that failed is withdrawn; one that committed is not', () => {
    const rotations = new RecentRotations();
    rotations.mark('failed-id', 7);
    rotations.withdraw('failed-id');
    expect(rotations.of('failed-id')).toBeNull();
    expect(rotations.hasTag(sessionTag('failed-id'))).toBe(false);
    rotations.mark('old-id', 7);
    rotations.completed('old-id', 'new-id');
    rotations.withdraw('old-id');
    expect(rotations.of('old-id')?.newSessionId).toBe('new-id');
  });
});
