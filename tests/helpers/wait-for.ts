/** How often a condition is checked again. */
const POLL_MS = 10;

type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/**
 * Waits until `condition` answers something truthy, and answers it: a
 * server-side effect seen when it happens, not after a fixed sleep that is
 * too long on a quiet machine and too short on a busy one.
 *
 * @example
 * await waitFor(() => registry.stashedCount === 1, { what: 'the closed tab to be stashed' });
 * const row = await waitFor(() => findSession(db, id));
 */
export async function waitFor<T>(condition: () => T | Promise<T>, { timeoutMs = 5_000, what = 'the condition' } = {}): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await Bun.sleep(POLL_MS);
  }
}

/**
 * Waits until `check` stops throwing (assertions inside may fail meanwhile),
 * and throws its last failure if it never does.
 *
 * @example
 * await eventually(async () => expect(await page.title()).toBe('Notes'));
 */
export async function eventually(check: () => Promise<void> | void, timeoutMs = 5_000): Promise<void> {
  let failure: unknown = null;
  try {
    await waitFor(
      async () => {
        try {
          await check();
          return true;
        } catch (error) {
          failure = error;
          return false;
        }
      },
      { timeoutMs },
    );
  } catch {
    throw failure;
  }
}
