import { resolve } from 'node:path';
import type { Subprocess } from 'bun';

/** Another process holding a database file's write lock, until released. */
export interface HeldWriteLock {
  /** Commits the other process's transaction and waits for it to exit. */
  release(): Promise<void>;
}

/**
 * Takes the write lock of the SQLite file at `path` in another process
 * (`BEGIN EXCLUSIVE`), as a backup job, a stuck migration or a long
 * `bun run manage` command would, and resolves once it holds it. It has to
 * be another process: SQLite's file locks are per process, so a second
 * library in this one would not see the server's locks at all.
 *
 * @example
 * const lock = await holdWriteLock(path);
 * try { … } finally { await lock.release(); }
 */
export async function holdWriteLock(path: string): Promise<HeldWriteLock> {
  const proc: Subprocess<'pipe', 'pipe', 'inherit'> = Bun.spawn(['bun', resolve(import.meta.dir, 'hold-write-lock-main.ts'), path], {
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'inherit',
  });
  const reader = proc.stdout.getReader();
  let out = '';
  while (!out.includes('LOCKED')) {
    const chunk = await reader.read();
    if (chunk.done) throw new Error(`lock holder exited: ${out}`);
    out += new TextDecoder().decode(chunk.value);
  }
  return {
    async release() {
      proc.stdin.write('release\n');
      await proc.stdin.end();
      await proc.exited;
    },
  };
}
