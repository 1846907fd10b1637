// Runs the Worker as `wrangler deploy` would ship it, on Miniflare's API, without `wrangler dev`'s
// proxy: `npm start` uses it with TRACKTRACE_RUNTIME=miniflare (scripts/dev.ts), or on its own:
//
//   tsx scripts/serve.ts --port 8787 --env-file .data/wrangler.env [--ip 127.0.0.1]
//        [--persist-to DIR] [--log-level info] [--inspector-port N] [--config wrangler.toml]
//
// 1. Bundles with `wrangler deploy --dry-run --outdir <tmp>`: the exact upload, none of wrangler
//    dev's middleware.
// 2. Turns wrangler.toml into Miniflare options with wrangler's own unstable_getMiniflareWorkerOptions
//    (the Miniflare version wrangler ships and wrangler dev uses): compatibility date and flags,
//    [vars], Durable Objects (SQLite-backed per [[migrations]]), queue producers and consumers with
//    their batch size/timeout, retries, retry delay and dead-letter queues. The env file's values
//    (DATABASE_URL, AUTH_JWKS, ...) are added over [vars], as `wrangler dev --env-file` does.
// 3. Durable Object storage in --persist-to (npm start: a tmpfs folder), else in memory (workerd
//    `inMemory`, which has no SQL API: the subscription hubs fail there).
// 4. Fires [triggers] crons itself, every minute (UTC), as the platform does (wrangler dev never does).
//
// One workerd serves the port: Miniflare's entry worker (request.cf, CF-Connecting-IP, response
// encoding, /cdn-cgi/handler/scheduled) in front of the Worker, in the same process.
// TRACKTRACE_DIRECT_SOCKET=1 binds the port to the Worker itself instead (no entry worker: no
// request.cf; the crons still go through the entry socket on a private port).
// RATE_LIMITS=bench (bench/lib.sh sets it) raises the [[ratelimits]] limits out of reach: the
// benchmarks send thousands of requests a second with one token, yet the limiter still runs (its cost
// stays in the measurement). Unset: wrangler.toml's limits, as deployed.
// SIGINT/SIGTERM dispose of workerd and delete the bundle.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Miniflare as MiniflareT, MiniflareOptions, WorkerOptions } from 'miniflare';

const { values: args } = parseArgs({
  options: {
    ip: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8787' },
    'env-file': { type: 'string' },
    'persist-to': { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
    'inspector-port': { type: 'string' },
    config: { type: 'string', default: fileURLToPath(new URL('../wrangler.toml', import.meta.url)) },
  },
});
const log = (m: string) => console.log(`[serve] ${m}`);
const wranglerEnv = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_LOG: 'warn' };
Object.assign(process.env, { WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' });

// wrangler's Miniflare, whatever npm hoisted (the same one `wrangler dev` runs)
const require = createRequire(import.meta.url);
const wranglerMain = require.resolve('wrangler');
const wrangler = require('wrangler') as typeof import('wrangler');
const { Miniflare, Log, LogLevel } = createRequire(wranglerMain)('miniflare') as typeof import('miniflare');
const wranglerBin = path.join(path.dirname(require.resolve('wrangler/package.json')), 'bin', 'wrangler.js');

/** KEY='value' lines as dev.ts writes them (also KEY=value, KEY="value", # comments). */
function readEnvFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    let v = m[2]!;
    if (/^'.*'$/s.test(v) || /^".*"$/s.test(v)) v = v.slice(1, -1);
    out[m[1]!] = v;
  }
  return out;
}

// --- cron: the five standard fields, in UTC as Cloudflare runs them -----------------------------
const NAMES: Record<number, string[]> = {
  3: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  4: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'],
};
const RANGES: [number, number][] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];
type Cron = { expr: string; fields: Set<number>[]; domAny: boolean; dowAny: boolean };
function parseCron(expr: string): Cron {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error('not five fields');
  const fields = parts.map((part, i) => {
    const [lo, hi] = RANGES[i]!;
    const num = (s: string) => {
      const named = NAMES[i]?.indexOf(s.toUpperCase()) ?? -1;
      const n = named >= 0 ? named + (i === 3 ? 1 : 0) : Number(s);
      if (!Number.isInteger(n) || n < lo || n > hi) throw new Error(`${s} is not supported in field ${i + 1}`);
      return n;
    };
    const set = new Set<number>();
    for (const item of part.split(',')) {
      const [range, stepS] = item.split('/');
      const step = stepS === undefined ? 1 : Number(stepS);
      if (!Number.isInteger(step) || step < 1) throw new Error(`step ${stepS}`);
      let a: number, b: number;
      if (range === '*') [a, b] = [lo, hi];
      else if (range!.includes('-')) [a, b] = range!.split('-').map(num) as [number, number];
      else [a, b] = [num(range!), stepS === undefined ? num(range!) : hi];
      for (let n = a; n <= b; n += step) set.add(i === 4 && n === 7 ? 0 : n);
    }
    return set;
  });
  return { expr, fields, domAny: parts[2] === '*', dowAny: parts[4] === '*' };
}
function cronMatches(c: Cron, t: Date): boolean {
  const [min, hour, dom, month, dow] = c.fields as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  if (!min.has(t.getUTCMinutes()) || !hour.has(t.getUTCHours()) || !month.has(t.getUTCMonth() + 1)) return false;
  const d = dom.has(t.getUTCDate()), w = dow.has(t.getUTCDay());
  // as in cron(8): with both day fields restricted, either may match
  return c.domAny || c.dowAny ? d && w : d || w;
}

/** wrangler.toml's rate limits, or under RATE_LIMITS=bench the same bindings and periods with a limit no benchmark reaches. */
const BENCH_RATE_LIMIT = 1_000_000_000;
type RateLimits = Record<string, { simple: { limit: number; period?: number } }>;
function rateLimits(ratelimits: RateLimits | undefined): RateLimits | undefined {
  const mode = process.env.RATE_LIMITS;
  if (!mode) return ratelimits;
  if (mode !== 'bench') throw new Error(`RATE_LIMITS=${mode}: use bench, or leave it unset for wrangler.toml's limits`);
  log(`RATE_LIMITS=bench: ${Object.keys(ratelimits ?? {}).join(', ') || 'no rate limits'} at ${BENCH_RATE_LIMIT.toLocaleString('en')} per period`);
  return Object.fromEntries(Object.entries(ratelimits ?? {}).map(([name, r]) => [name, { simple: { ...r.simple, limit: BENCH_RATE_LIMIT } }]));
}

// -------------------------------------------------------------------------------------------------
let mf: MiniflareT | undefined;
let buildDir: string | undefined;
let cronTimer: ReturnType<typeof setTimeout> | undefined;
let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  if (cronTimer) clearTimeout(cronTimer);
  if (buildDir) rmSync(buildDir, { recursive: true, force: true }); // workerd has loaded it
  await Promise.race([mf?.dispose().catch(() => {}), new Promise((r) => setTimeout(r, 3_000))]);
  process.exit(code);
}
// wrangler's and Miniflare's own exit hooks may exit first: the bundle goes on any exit
process.on('exit', () => { if (buildDir) rmSync(buildDir, { recursive: true, force: true }); });
process.prependListener('SIGINT', () => void stop(0));
process.prependListener('SIGTERM', () => void stop(0));

try {
  const configPath = path.resolve(args.config!);
  const config = wrangler.unstable_readConfig({ config: configPath });

  buildDir = mkdtempSync(path.join(os.tmpdir(), 'tracktrace-bundle-'));
  const t0 = Date.now();
  const build = spawnSync(
    process.execPath,
    [wranglerBin, 'deploy', '--dry-run', '--outdir', buildDir, '--config', configPath],
    { env: wranglerEnv, encoding: 'utf8', cwd: path.dirname(configPath) },
  );
  if (build.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${build.stdout}\n${build.stderr}`);
  const entry = path.join(buildDir, `${path.basename(config.main ?? 'index.js').replace(/\.[cm]?[jt]sx?$/, '')}.js`);
  log(`bundled the deploy upload in ${Date.now() - t0} ms`);

  const { workerOptions } = wrangler.unstable_getMiniflareWorkerOptions(config);
  const vars = args['env-file'] ? readEnvFile(args['env-file']) : {};
  const persist = args['persist-to'];
  const level = ({ none: LogLevel.NONE, error: LogLevel.ERROR, warn: LogLevel.WARN, info: LogLevel.INFO, log: LogLevel.INFO, debug: LogLevel.DEBUG } as Record<string, number>)[args['log-level']!] ?? LogLevel.INFO;
  const direct = process.env.TRACKTRACE_DIRECT_SOCKET === '1';
  const port = Number(args.port);

  const worker = {
    ...workerOptions,
    name: config.name ?? 'worker',
    modulesRoot: buildDir,
    modules: [{ type: 'ESModule', path: entry }],
    bindings: { ...(workerOptions.bindings as Record<string, unknown>), ...vars },
    ratelimits: rateLimits(workerOptions.ratelimits as RateLimits | undefined),
    // inMemory Durable Object storage (SQLite in memory) unless a folder is given
    ...(persist ? { durableObjectsPersist: path.join(persist, 'v3', 'do') } : { unsafeEphemeralDurableObjects: true }),
    ...(direct ? { unsafeDirectSockets: [{ host: args.ip, port }] } : {}),
  } as WorkerOptions;

  const options: MiniflareOptions = {
    host: args.ip,
    port: direct ? 0 : port,
    inspectorPort: args['inspector-port'] ? Number(args['inspector-port']) : undefined,
    unsafeTriggerHandlers: true, // /cdn-cgi/handler/scheduled, used by the cron timer below
    log: new Log(level as never, { prefix: 'serve' }),
    logRequests: level >= LogLevel.INFO, // one line per request, as wrangler dev at --log-level info
    // console.* of the Worker, filtered by level as wrangler dev does
    handleStructuredLogs: ({ level: l, message }: { level: string; message: string }) => {
      const rank = l === 'error' ? LogLevel.ERROR : l === 'warn' ? LogLevel.WARN : l === 'debug' ? LogLevel.DEBUG : LogLevel.INFO;
      if (rank > level) return;
      (l === 'error' || l === 'warn' ? process.stderr : process.stdout).write(`${message}\n`);
    },
    ...(persist ? { defaultPersistRoot: persist } : {}),
    workers: [worker],
  };
  mf = new Miniflare(options);
  const entryUrl = await mf.ready;
  log(`${config.name} on http://${args.ip}:${port}${direct ? ` (direct socket; entry ${entryUrl.host})` : ''}, ` +
    `Durable Objects ${persist ? `on disk in ${persist}` : 'in memory'}`);

  const crons: Cron[] = [];
  for (const expr of config.triggers?.crons ?? []) {
    try {
      crons.push(parseCron(expr));
    } catch (e) {
      log(`cron "${expr}" is not fired locally (${e instanceof Error ? e.message : e}); call /cdn-cgi/handler/scheduled`);
    }
  }
  if (crons.length) {
    const tick = () => {
      const at = new Date(Math.floor(Date.now() / 60_000) * 60_000);
      for (const c of crons) {
        if (!cronMatches(c, at)) continue;
        // the Worker's scheduled handler itself (the entry's /cdn-cgi/handler/scheduled answered
        // "exception" without calling it)
        mf!.getWorker().then((w) => (w as unknown as { scheduled(o: { cron: string; scheduledTime: Date }): Promise<{ outcome: string }> }).scheduled({ cron: c.expr, scheduledTime: at })).then(
          (r) => {
            if (r.outcome !== 'ok') log(`cron "${c.expr}" at ${at.toISOString()}: scheduled handler ${r.outcome}`);
            else if (level >= LogLevel.DEBUG) log(`cron "${c.expr}" at ${at.toISOString()}: ok`);
          },
          (e) => log(`cron "${c.expr}": ${e instanceof Error ? e.message : e}`),
        );
      }
      cronTimer = setTimeout(tick, 60_000 - (Date.now() % 60_000) + 5);
    };
    cronTimer = setTimeout(tick, 60_000 - (Date.now() % 60_000) + 5);
    log(`crons ${crons.map((c) => `"${c.expr}"`).join(', ')} fire every matching minute (UTC)`);
  }
} catch (e) {
  console.error('[serve] start failed:', e instanceof Error ? e.message : e);
  await stop(1);
}
