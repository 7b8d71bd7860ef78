// What every browser suite here shares: a temp dir, Debian's Chromium, a watchdog that
// ends a hung run, `ok - ...` lines, and clean-up of the browser and the server
// whatever happened. Exits non-zero when the suite throws or a page had a script error.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const WEB_ROOT = path.resolve(here, '../../web');
export const ARTIFACTS = path.resolve(here, '../../build/test-artifacts');
export const BIN = process.argv[2] ?? path.resolve(here, '../../build/parley');

/**
 * Runs `body(run)`. `run` has `dir`, `errors` (push uncaught page errors there),
 * `pass(what)`, `launch()` (the browser), `server` (set it to what startServer returned,
 * again after a restart) and `cleanUps` (functions run at the end).
 */
export async function runSuite(name, body, watchdogMs = 90_000) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const run = {
    dir: await mkdtemp(path.join(os.tmpdir(), `parley-${name}-`)),
    errors: [], passed: 0, server: null, browser: null, cleanUps: [],
    pass(what) { this.passed += 1; console.log(`ok - ${what}`); },
    async launch() {
      this.browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, timeout: 20_000,
        args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
      return this.browser;
    },
  };
  const watchdog = setTimeout(() => {
    console.error(`FAIL: ${name} still running after ${watchdogMs} ms`);
    if (run.server) { run.server.child.kill('SIGKILL'); console.error(run.server.stderr); }
    process.exit(1);
  }, watchdogMs);
  try {
    await body(run);
    assert.deepEqual(run.errors, [], 'uncaught errors in the pages');
    console.log(`${name}: ${run.passed} passed, 0 failed`);
  } catch (err) {
    console.error(`FAIL: ${err.stack ?? err}`);
    if (run.server) console.error(`--- server stderr ---\n${run.server.stderr.slice(-4000)}`);
    console.error(`${name}: ${run.passed} passed, 1 failed`);
    process.exitCode = 1;
  } finally {
    for (const f of run.cleanUps) f();
    await run.browser?.close().catch(() => {});
    if (run.server && run.server.child.exitCode === null) { run.server.child.kill('SIGKILL'); await run.server.exited; }
    await rm(run.dir, { recursive: true, force: true });
    clearTimeout(watchdog);
  }
}
