/**
 * `load` (a dynamic `import()`) made to run once: every call shares its
 * promise, except that a failed load is forgotten, so the next call (a later
 * visit, a later render) tries again instead of failing for the rest of the
 * tab's life.
 *
 * @example
 * const loadForm = chunkOnce(() => import('./confirm-identity-form').then((m) => m.ConfirmIdentityForm));
 */
export function chunkOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let chunk: Promise<T> | null = null;
  return () => {
    chunk ??= load().catch((error: unknown) => {
      chunk = null;
      throw error;
    });
    return chunk;
  };
}
