import type { Subprocess } from 'bun';
import { afterAll } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './browser';

/** The repository root: where `bun run start` runs. */
export const REPO_ROOT = resolve(import.meta.dir, '../../..');

/** How long the app may take to build its client and start listening. */
const START_TIMEOUT_MS = 45_000;
const STOP_TIMEOUT_MS = 5_000;

export interface AppServer {
  /** `http://127.0.0.1:<port>` as the server printed it. */
  url: string;
  /** The temp libSQL file it runs on. */
  databaseUrl: string;
  /** Where the file mail backend writes `.eml` files. */
  mailDir: string;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
  /** Runs a `bun run <script>` against the same database (`db:seed`, `manage …`); throws on failure. */
  run(args: readonly string[]): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts the example app as a user would, `bun run start` (production
 * build of the client, NODE_ENV=production), in a subprocess on a temp
 * libSQL file, a free port (PORT=0; the real URL is read from its
 * "Statehouse is running at <url>" line) and the file mail backend.
 *
 * @example
 * const server = await startAppServer();
 * await page.goto(`${server.url}/login`);
 * await server.stop();
 */
export async function startAppServer(env: Record<string, string> = {}): Promise<AppServer> {
  const dir = mkdtempSync(join(tmpdir(), 'statehouse-e2e-'));
  const databaseUrl = `file:${join(dir, 'app.db')}`;
  const mailDir = join(dir, 'mail');
  const childEnv: Record<string, string> = {
    ...(process.env as Record<string, string>),
    DATABASE_URL: databaseUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    MAIL_BACKEND: 'file',
    MAIL_FILE_DIR: mailDir,
    // Its own client build: never sweeps the assets another running server serves.
    CLIENT_DIR: join(dir, 'client'),
    LOG_LEVEL: 'warn',
    // The example app offers two-factor: a production start needs the key its secrets are sealed under.
    TWO_FACTOR_KEY: randomBytes(32).toString('base64'),
    ...env,
  };
  const proc = Bun.spawn(['bun', 'run', 'start'], { cwd: REPO_ROOT, env: childEnv, stdout: 'pipe', stderr: 'pipe' });
  let printed = '';
  const drain = async (stream: ReadableStream<Uint8Array>): Promise<void> => {
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      printed += decoder.decode(value, { stream: true });
    }
  };
  void drain(proc.stdout);
  void drain(proc.stderr);

  const url = await waitForUrl(proc, () => printed);
  return {
    url,
    databaseUrl,
    mailDir,
    output: () => printed,
    async run(args) {
      const child = Bun.spawn(['bun', 'run', ...args], { cwd: REPO_ROOT, env: childEnv, stdout: 'pipe', stderr: 'pipe' });
      const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
      if (code !== 0) throw new Error(`bun run ${args.join(' ')} failed (${code}):\n${out}${err}`);
      return out;
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(STOP_TIMEOUT_MS).then(() => false)]);
      if (!exited) proc.kill('SIGKILL');
    },
  };
}

async function waitForUrl(proc: Subprocess, printed: () => string): Promise<string> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const match = /Statehouse is running at (http:\/\/\S+)/.exec(printed());
    if (match) return match[1]!;
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`The app did not start:\n${printed()}`);
    }
    await Bun.sleep(50);
  }
}

/**
 * The example app (see {@link startAppServer}) and a Chromium for one test
 * file, both stopped once the file's tests are done: every browser test
 * file starts with it.
 *
 * @example
 * const { server, browser } = await startAppAndBrowser();
 * await server.run(['db:seed']);
 */
export async function startAppAndBrowser(env: Record<string, string> = {}): Promise<{ server: AppServer; browser: Browser }> {
  const server = await startAppServer(env);
  let browser: Browser;
  try {
    browser = await launchBrowser();
  } catch (error) {
    await server.stop();
    throw error;
  }
  afterAll(async () => {
    await browser.close();
    await server.stop();
  });
  return { server, browser };
}
