import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Every patch in `patches/` is made for one exact version of its package.
 * A range in package.json would let `bun install` move to a version the
 * patch no longer fits; an install that skipped it would quietly lose what
 * the patch does. Both would go unnoticed but for this.
 */
const ROOT = resolve(import.meta.dir, '../..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  patchedDependencies: Record<string, string>;
};

/** `@trpc/server@11.25.2` → name and version. */
function parseKey(key: string): { name: string; version: string } {
  const at = key.lastIndexOf('@');
  return { name: key.slice(0, at), version: key.slice(at + 1) };
}

/** Per file the patch changes: the lines it adds that carry its `Patched` marker comments. */
function markersOf(patch: string): Map<string, string[]> {
  const files = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of patch.split('\n')) {
    const header = /^diff --git a\/(\S+) b\//.exec(line);
    if (header) {
      current = [];
      files.set(header[1]!, current);
    } else if (current && line.startsWith('+') && !line.startsWith('+++') && line.includes('Patched')) {
      current.push(line.slice(1).trim());
    }
  }
  return files;
}

const entries = Object.entries(manifest.patchedDependencies);

describe('patched dependencies', () => {
  test('there are some (this test reads package.json)', () => {
    expect(entries.length).toBeGreaterThan(0);
  });

  for (const [key, patchFile] of entries) {
    const { name, version } = parseKey(key);

    test(`${name} is pinned to ${version} exactly, and that version is installed`, () => {
      expect(manifest.dependencies[name] ?? manifest.devDependencies[name]).toBe(version);
      const installed = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
      expect(installed.version).toBe(version);
    });

    test(`${patchFile} is applied to every file it changes`, () => {
      const markers = markersOf(readFileSync(join(ROOT, patchFile), 'utf8'));
      expect(markers.size).toBeGreaterThan(0);
      for (const [file, lines] of markers) {
        expect(lines.length).toBeGreaterThan(0);
        const source = readFileSync(join(ROOT, 'node_modules', name, file), 'utf8');
        for (const line of lines) expect(source).toContain(line);
      }
    });
  }
});
