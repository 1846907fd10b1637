// /docs as a partner sees it: the Worker is bundled and served by `wrangler dev` (the deploy bundler,
// not the test pool's), the page is loaded in headless Chromium (Debian's `chromium`, driven by
// playwright-core), and the reference must render its operations with no failed request and nothing
// fetched from anywhere but the API itself. Skipped, saying why, when Chromium is not installed.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, freePort, warnIfNoChromium } from './helpers/browser';

const ROOT = path.join(__dirname, '..');
const SCREENSHOTS = path.join(__dirname, 'screenshots');

warnIfNoChromium('docs.browser.test');

describe.skipIf(!CHROMIUM)('the /docs reference in a browser', () => {
  let server: ChildProcess | undefined;
  let origin = '';
  let context: BrowserContext | undefined;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'tracktrace-docs-'));
  let output = '';

  beforeAll(async () => {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    // only the contract routes are visited: no database is needed
    server = spawn(
      process.execPath,
      [path.join(ROOT, 'node_modules/wrangler/bin/wrangler.js'), 'dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(await freePort()),
        '--persist-to', path.join(tmp, 'state'), '--show-interactive-dev-session=false', '--log-level', 'warn'],
      { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', CI: 'true' } },
    );
    server.stdout!.on('data', (d) => (output += d));
    server.stderr!.on('data', (d) => (output += d));
    const until = Date.now() + 60_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`wrangler dev exited: ${output}`);
      try {
        if ((await fetch(`${origin}/health/live`)).ok) break;
      } catch {}
      if (Date.now() > until) throw new Error(`wrangler dev did not answer within 60 s: ${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1440, height: 1000 },
      timeout: 30_000,
    });
  }, 90_000);

  afterAll(async () => {
    await context?.close().catch(() => {});
    if (server?.pid && server.exitCode === null) {
      try {
        process.kill(-server.pid, 'SIGTERM'); // wrangler and the workerd it started
      } catch {}
      await new Promise((r) => setTimeout(r, 500));
      try {
        process.kill(-server.pid, 'SIGKILL');
      } catch {}
    }
    rmSync(tmp, { recursive: true, force: true });
  });

  it('renders every operation, the guide and the catalogues, with no failed request', async () => {
    const page = await context!.newPage();
    const failed: string[] = [];
    const foreign: string[] = [];
    page.on('requestfailed', (r) => failed.push(`${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.request().method()} ${r.url()}: ${r.status()}`);
    });
    page.on('request', (r) => {
      const url = r.url();
      if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) foreign.push(url);
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));

    await page.goto(`${origin}/docs`, { waitUntil: 'networkidle', timeout: 30_000 });
    const doc = (await (await fetch(`${origin}/openapi.json`)).json()) as { paths: Record<string, object> };
    // the sidebar lists every operation by its summary
    await page.getByText('Append events to a stream', { exact: false }).first().waitFor({ timeout: 30_000 });
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'docs.png') });
    const text = await page.locator('body').innerText();
    const summaries = Object.values<any>(doc.paths).flatMap((ops) => Object.values<any>(ops).map((op) => op.summary as string));
    const missing = summaries.filter((s) => !text.includes(s));
    expect(missing, 'operations not rendered').toEqual([]);
    for (const heading of ['Getting started', 'Scopes', 'Partner tokens', 'Idempotency and retries', 'Expected versions', 'Identifiers', 'Errors']) {
      expect(text).toContain(heading);
    }

    // one operation, with its request and response examples and error codes
    await page.getByText('Schedule Flight', { exact: true }).first().click();
    await page.waitForTimeout(1_000);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'docs-operation.png') });
    const after = await page.locator('body').innerText();
    expect(after).toContain('flight_already_scheduled');

    expect(errors, 'page errors').toEqual([]);
    expect(failed, 'failed requests').toEqual([]);
    expect(foreign, 'requests to anywhere but the API').toEqual([]);
    await page.close();
  }, 90_000);
});
