import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { FIRST_PUSH_MARK } from '../../client/state/client';
import { startAppServer } from '../../tests/e2e/support/app-server';
import { launchBrowser } from '../../tests/e2e/support/browser';
import { measureClientBundle, type BundleSizes } from '../lib/client-bundle';
import { median, ratio } from '../lib/stats';
import { targetCheck, type TargetCheck } from '../lib/targets';

/** The client scenario's workload (`bun run bench --only client`). */
export interface ClientLoadOptions {
  /** Page loads of the app, and as many of the floor, interleaved. */
  loads: number;
}

export interface ClientLoadSummary {
  options: ClientLoadOptions;
  /** The example app's production build, as `bun run start` makes it. */
  bundle: BundleSizes;
  /** Navigation start → the store applied the first `statehouse.state` push, per load (ms). */
  appMs: number[];
  /** Navigation start → the floor page's script ran, per load (ms). */
  floorMs: number[];
  appMedianMs: number;
  floorMedianMs: number;
  /** App median ÷ floor median. */
  ratioToFloor: number;
}

/** The floor's URL path: a static page in the served client folder (the app's build leaves it alone). */
const FLOOR_DIR = 'bench-floor';
const LOAD_TIMEOUT_MS = 20_000;

/**
 * The floor page: the app's `index.html` (its stylesheet included) with the
 * shell's script replaced by one of the same byte size that only sets the
 * mark, so what it measures is the server, the network and the browser's
 * page load, without the app's work and its socket.
 */
async function writeFloor(clientDir: string, bundle: BundleSizes): Promise<string> {
  const dir = join(clientDir, FLOOR_DIR);
  mkdirSync(dir, { recursive: true });
  const mark = `performance.mark(${JSON.stringify(FIRST_PUSH_MARK)});\n`;
  const padding = Math.max(0, bundle.shellJsBytes - mark.length - 4);
  await Bun.write(join(dir, 'floor.js'), `/*${'x'.repeat(padding)}*/\n${mark}`);
  const index = await Bun.file(join(clientDir, 'index.html')).text();
  const page = index
    .replace(/[ \t]*<script type="module" src="[^"]*"><\/script>\n/g, '')
    .replace('</head>', `  <script type="module" src="/${FLOOR_DIR}/floor.js"></script>\n  </head>`);
  await Bun.write(join(dir, 'index.html'), page);
  return `/${FLOOR_DIR}/index.html`;
}

/** One cold load (a fresh context: no cache, no cookies): navigation start → the mark, in ms. */
async function timeLoad(browser: Browser, url: string): Promise<number> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'commit', timeout: LOAD_TIMEOUT_MS });
    await page.waitForFunction((name) => performance.getEntriesByName(name, 'mark').length > 0, FIRST_PUSH_MARK, {
      polling: 10,
      timeout: LOAD_TIMEOUT_MS,
    });
    // A mark's startTime counts from the navigation's start (the document's time origin).
    return await page.evaluate((name) => performance.getEntriesByName(name, 'mark')[0]!.startTime, FIRST_PUSH_MARK);
  } finally {
    await context.close();
  }
}

/**
 * The example app as `bun run start` serves it (production build, its own
 * process): the size of its JavaScript and CSS minified and gzipped, split
 * into what a first visit loads and what waits for first use, and the time
 * from navigation to the first state push in Chromium, against a static page
 * of the same script size served by the same process. App and floor loads
 * alternate (the order swapped every other pair), each in a fresh context.
 */
export async function runClientLoad(options: ClientLoadOptions, log: (line: string) => void): Promise<ClientLoadSummary> {
  const dir = mkdtempSync(join(tmpdir(), 'statehouse-bench-client-'));
  const clientDir = join(dir, 'client');
  const server = await startAppServer({ CLIENT_DIR: clientDir });
  let browser: Browser | null = null;
  try {
    const bundle = await measureClientBundle(clientDir);
    const floorPath = await writeFloor(clientDir, bundle);
    // Browsed as a visitor types it; the socket opens to the page's own origin.
    const origin = server.url.replace('127.0.0.1', 'localhost');
    browser = await launchBrowser();
    // One of each first: the server's first page and socket, and Chromium's first context, are not measured.
    await timeLoad(browser, `${origin}/`);
    await timeLoad(browser, `${origin}${floorPath}`);
    const appMs: number[] = [];
    const floorMs: number[] = [];
    for (let i = 0; i < options.loads; i++) {
      const appFirst = i % 2 === 0;
      for (const which of appFirst ? (['app', 'floor'] as const) : (['floor', 'app'] as const)) {
        if (which === 'app') appMs.push(await timeLoad(browser, `${origin}/`));
        else floorMs.push(await timeLoad(browser, `${origin}${floorPath}`));
      }
    }
    const appMedianMs = median(appMs);
    const floorMedianMs = median(floorMs);
    log(`  app ${appMedianMs.toFixed(1)} ms, floor ${floorMedianMs.toFixed(1)} ms (medians of ${options.loads})`);
    return { options, bundle, appMs, floorMs, appMedianMs, floorMedianMs, ratioToFloor: ratio(appMedianMs, floorMedianMs) };
  } finally {
    await browser?.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const kb = (bytes: number): string => (bytes / 1024).toFixed(1);

/** The scenario's rows in the `measure` table. */
export function clientLoadRows(client: ClientLoadSummary): string[][] {
  const { bundle } = client;
  const shell = bundle.files.filter((f) => f.shell && f.kind === 'js');
  const lazy = bundle.files.filter((f) => !f.shell && f.kind === 'js');
  const largest = lazy[0];
  return [
    [
      'client JS, first visit',
      `${kb(bundle.shellJsGzipBytes)} KB gzipped`,
      `${kb(bundle.shellJsBytes)} KB minified in ${shell.length} file(s): the shell with the auth pages; ${kb(bundle.shellJsBrotliBytes)} KB with Brotli, as served`,
    ],
    [
      'client JS, loaded on first use',
      `${kb(bundle.lazyJsGzipBytes)} KB gzipped`,
      `${lazy.length} chunks${largest ? `, the largest ${largest.path.replace(/^\/assets\//, '')} ${kb(largest.gzipBytes)} KB` : ''}`,
    ],
    ['client CSS', `${kb(bundle.cssGzipBytes)} KB gzipped`, 'one stylesheet, loaded with the page'],
    [
      'first state push',
      `${client.appMedianMs.toFixed(1)} ms`,
      `navigation → first statehouse.state push, Chromium, median of ${client.appMs.length}; ${client.ratioToFloor.toFixed(2)} × floor`,
    ],
    [
      'first push floor',
      `${client.floorMedianMs.toFixed(1)} ms`,
      'navigation → script ran, a static page with the same script bytes from the same server',
    ],
  ];
}

/** The scenario's target: the JavaScript a first visit downloads. */
export function clientLoadTargets(client: ClientLoadSummary): TargetCheck[] {
  const kb = client.bundle.shellJsGzipBytes / 1024;
  return [targetCheck('client JS a first visit loads, gzipped', '≤ 35 KB', kb, 'KB', (v) => v > 0 && v <= 35)];
}
