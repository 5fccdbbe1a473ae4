import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from './app-server';

/** Every run's screenshots (git-ignored). */
export const ARTIFACTS_DIR = join(REPO_ROOT, 'tests/.artifacts/screenshots');
/** The copies the README shows (committed). */
export const DOCS_DIR = join(REPO_ROOT, 'docs/screenshots');
/** Set by `bun run screenshots`: a plain test run never rewrites committed files. */
const UPDATE_DOCS = process.env.UPDATE_SCREENSHOTS === '1';

/**
 * Saves a PNG of the viewport as `<name>.png` under tests/.artifacts/screenshots/,
 * and copies it to docs/screenshots/ when `UPDATE_SCREENSHOTS=1`.
 *
 * @example
 * await saveScreenshot(page, 'login');
 */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = join(ARTIFACTS_DIR, `${name}.png`);
  // No caret or focus ring blinking into the picture.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.mouse.move(0, page.viewportSize()?.height ?? 0);
  await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
  if (UPDATE_DOCS) {
    mkdirSync(DOCS_DIR, { recursive: true });
    copyFileSync(file, join(DOCS_DIR, `${name}.png`));
  }
  return file;
}
