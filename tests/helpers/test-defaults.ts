/**
 * Preloaded by bunfig.toml into every `bun test` run: one default timeout
 * for every suite. Real sockets, databases and browsers take longer than
 * Bun's 5 s default on a busy 2-core machine. (This call also replaces a
 * `--timeout` given on the command line; the browser suite raises it in
 * `tests/e2e/support/app-server.ts`.)
 */
import { setDefaultTimeout } from 'bun:test';

setDefaultTimeout(30_000);
