/// <reference lib="dom" /> // page.evaluate callbacks run in the page
// The operations dashboard as an operator uses it: `npm start` (which builds the dashboard and serves
// it from the Worker's static assets) on a free port with its own data folder, `npm run seed`, then
// headless Chromium (Debian's `chromium`, driven by playwright-core): sign in with a pasted token,
// the airport board, search an AWB and read its timeline, a flight's manifest updating live when a
// ULD is loaded through the API (no reload), the metrics charts, the projections admin view.
// A screenshot of each view goes to test/screenshots/ (git-ignored); with UPDATE_DOCS_SCREENSHOTS=1
// they are also written to docs/ (the README's pictures). Skipped, saying why, without Chromium.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, freePort, warnIfNoChromium } from './helpers/browser';

const ROOT = path.join(__dirname, '..');
const SCREENSHOTS = path.join(__dirname, 'screenshots');
const DOCS = path.join(ROOT, 'docs');
const run = promisify(execFile);

warnIfNoChromium('dashboard.browser.test');

describe.skipIf(!CHROMIUM)('the operations dashboard in a browser', () => {
  let server: ChildProcess | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let origin = '';
  let env: NodeJS.ProcessEnv = {};
  let output = '';
  let operatorToken = '';
  let writeToken = '';
  let flightLA = '';
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'tracktrace-dashboard-'));
  chmodSync(tmp, 0o755); // as root, PostgreSQL runs as the postgres user: it must get in
  const errors: string[] = [];
  const failed: string[] = [];
  const foreign: string[] = [];

  const npm = async (...args: string[]) => (await run('npm', ['run', '--silent', ...args], { cwd: ROOT, env, timeout: 60_000 })).stdout.trim();
  const shot = async (name: string) => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const file = path.join(SCREENSHOTS, `dashboard-${name}.png`);
    await page.screenshot({ path: file });
    if (process.env.UPDATE_DOCS_SCREENSHOTS === '1' && !name.startsWith('tablet-')) {
      mkdirSync(DOCS, { recursive: true });
      copyFileSync(file, path.join(DOCS, `dashboard-${name}.png`));
    }
  };
  const go = async (hash: string) => {
    await page.evaluate((h) => (location.hash = h), hash);
  };

  beforeAll(async () => {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    env = { ...process.env, PORT: String(port), TRACKTRACE_DATA_DIR: path.join(tmp, 'data'), WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_LOG_LEVEL: 'warn', CI: 'true' };
    // npm start as a user runs it: prestart builds the dashboard, dev.ts starts Postgres and the Worker
    server = spawn('npm', ['start'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (d) => (output += d));
    server.stderr!.on('data', (d) => (output += d));
    const until = Date.now() + 90_000;
    while (!output.includes('Dashboard ')) {
      if (server.exitCode !== null) throw new Error(`npm start exited: ${output}`);
      if (Date.now() > until) throw new Error(`npm start did not print the dashboard's URL within 90 s: ${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(output).toContain(`Dashboard          ${origin}/`);
    // the seed, and meanwhile the browser and the tokens
    const launching = chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 30_000,
    });
    let ids: string;
    [, operatorToken, writeToken, browser] = await Promise.all([
      npm('seed'),
      npm('token', '--', '--tenant', 'lim-handling', '--scope', 'tracking:read tracking:operator', '--sub', 'ops-browser'),
      npm('token', '--', '--tenant', 'lim-handling', '--scope', 'tracking:read tracking:write', '--sub', 'ramp-tablet'),
      launching,
    ]);
    ids = await npm('seed', '--', '--ids');
    flightLA = Object.fromEntries(ids.split(/\s+/).map((kv) => kv.split('=') as [string, string])).LA!;

    const context = await browser!.newContext({ viewport: { width: 1366, height: 768 } });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('requestfailed', (r) => failed.push(`${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.request().method()} ${r.url()}: ${r.status()}`);
    });
    page.on('request', (r) => {
      const url = r.url();
      if (!url.startsWith(origin) && !url.startsWith(origin.replace('http:', 'ws:')) && !url.startsWith('data:')) foreign.push(url);
    });
  }, 150_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    if (server?.pid && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      try {
        process.kill(-server.pid, 'SIGTERM'); // npm, dev.ts (which stops the Worker and Postgres)
      } catch {}
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      try {
        process.kill(-server.pid, 'SIGKILL');
      } catch {}
    }
    rmSync(tmp, { recursive: true, force: true });
  }, 30_000);

  it('signs in with a pasted token and shows the airport board', async () => {
    await page.goto(`${origin}/`, { waitUntil: 'domcontentloaded' });
    await page.locator('textarea#token').fill(operatorToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const board = page.locator('[data-testid=board]');
    await board.getByText('LA2047', { exact: true }).waitFor({ timeout: 15_000 });
    expect(await board.locator('tbody tr').count()).toBeGreaterThanOrEqual(4);
    expect(await board.innerText()).toContain('+35 min'); // IB6650 departed late
    // the token is kept for the tab, never in the URL
    expect(page.url()).not.toContain(operatorToken.slice(0, 20));
    expect(await page.evaluate(() => Object.keys(sessionStorage))).toEqual(['tracktrace.session.token']);
    await page.locator('[data-live=live]').waitFor({ timeout: 10_000 });
    await shot('board');
  });

  it('searches an air waybill and shows its timeline', async () => {
    await go('#/search');
    await page.getByRole('searchbox').fill('045 41000002');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForFunction(() => location.hash === '#/entity/shipment/045-41000002');
    const timeline = page.locator('[data-testid=timeline]');
    await timeline.getByText('RCS Received from shipper', { exact: false }).waitFor({ timeout: 10_000 });
    const text = await timeline.innerText();
    for (const code of ['BKD', 'RCS', 'FOH', 'PRE', 'MAN', 'DEP']) expect(text).toContain(code);
    await page.locator('.status-card').getByText('DEP', { exact: true }).waitFor();
    await shot('search');
  });

  it('shows a ULD loaded onto the flight without a reload', async () => {
    await go(`#/flight/${flightLA}`);
    await page.locator('[data-uld=AKE12345LA]').waitFor({ timeout: 10_000 });
    await page.locator('[data-live=live]').waitFor({ timeout: 10_000 });
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    // a ramp tablet loads a new ULD with a shipment waiting in the warehouse (045-41011106) and a bag
    const res = await fetch(`${origin}/v1/ulds/AKE90001LA/loads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${writeToken}`, 'content-type': 'application/json', 'idempotency-key': 'dashboard-browser-test-load' },
      body: JSON.stringify({ flight: flightLA, shipments: ['045-41011106'], bags: ['0045210001'], location: 'LIM/STAND/12' }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const uld = page.locator('[data-uld=AKE90001LA]');
    await uld.waitFor({ timeout: 15_000 });
    expect(await uld.innerText()).toContain('045-41011106');
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    // the change is listed in the flight's live changes, and the new ULD is in view for the picture
    await page.locator('.activity').getByText('AKE90001LA').waitFor();
    await uld.scrollIntoViewIfNeeded();
    await shot('flight');
  });

  it('renders the metrics as charts with data', async () => {
    await go('#/metrics');
    const turnaround = page.locator('[data-testid=chart-turnaround] svg.chart');
    await turnaround.waitFor({ timeout: 10_000 });
    expect(await turnaround.locator('rect.bar').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=chart-cargo_dwell] svg.chart rect.bar').count()).toBeGreaterThan(0);
    await page.locator('[data-testid=chart-mishandled_per_1000] svg.chart').waitFor();
    await shot('metrics');
  });

  it('shows the projections to an operator', async () => {
    await go('#/admin');
    const table = page.locator('[data-testid=projections]');
    await table.waitFor({ timeout: 10_000 });
    for (const name of ['status', 'timeline', 'manifest', 'metrics']) await table.getByText(name, { exact: true }).waitFor();
    expect(await table.getByRole('button', { name: 'Rebuild…' }).count()).toBe(4);
    await shot('admin');

    // a tablet (768×1024, portrait): every view fits the width (wide tables scroll inside their card)
    await page.setViewportSize({ width: 768, height: 1024 });
    for (const [name, hash, ready] of [
      ['board', '#/board', '[data-testid=board]'],
      ['search', '#/entity/shipment/045-41000002', '[data-testid=timeline]'],
      ['flight', `#/flight/${flightLA}`, '[data-uld=AKE90001LA]'],
      ['metrics', '#/metrics', '[data-testid=chart-turnaround] svg.chart'],
      ['admin', '#/admin', '[data-testid=projections]'],
    ] as const) {
      await go(hash);
      await page.locator(ready).first().waitFor({ timeout: 10_000 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${hash} is wider than a tablet`).toBeLessThanOrEqual(0);
      await shot(`tablet-${name}`);
    }

    expect(errors, 'page errors').toEqual([]);
    expect(failed, 'failed requests').toEqual([]);
    expect(foreign, 'requests to anywhere but the Worker').toEqual([]);
  });
});
