// `npm start`: embedded Postgres (or DATABASE_URL) -> migrations -> WebSocket relay -> the Worker on Miniflare
// (scripts/serve.ts; `npm run dev`: wrangler dev with live reload).
// Prints the URL and a development token; Ctrl-C stops everything it started. While it runs,
// .data/run/<port>.json tells `npm run token` and `npm run seed` its URL and data folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEV_ISSUER, dataDir, loadDevKey, signDevToken, tokenRulesFromEnv } from './devKey.ts';
import { forgetInstance, recordInstance, runningInstances } from './instance.ts';
import { migrateDatabase } from './migrate.ts';
import { clusterDir, freePort, startPostgres, type LocalPostgres } from './postgres.ts';
import { startRelay } from './relay.ts';

const port = Number(process.env.PORT ?? 8787);
const dir = dataDir();
const log = (m: string) => console.log(`[tracktrace] ${m}`);

let pg: LocalPostgres | undefined;
let relay: Awaited<ReturnType<typeof startRelay>> | undefined;
let wrangler: ChildProcess | undefined;
let runFile: string | undefined;
let stopping = false;
// Durable Objects keep little of their own (Postgres holds the events), yet locally every object
// gets a SQLite file: put those on tmpfs when there is one, and throw them away at exit. (Miniflare's
// in-memory storage has no SQL API, which the subscription hubs need.)
const flag = process.argv.slice(2).map((a, i, all) => (a === '--runtime' ? all[i + 1] : a.startsWith('--runtime=') ? a.slice(10) : undefined)).find(Boolean);
const runtime = flag ?? process.env.TRACKTRACE_RUNTIME ?? 'miniflare';
const persist = process.env.WRANGLER_PERSIST ?? (existsSync('/dev/shm') ? mkdtempSync('/dev/shm/tracktrace-') : path.join(dir, 'wrangler'));

async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  if (runFile) forgetInstance(runFile);
  if (wrangler?.pid && wrangler.exitCode === null) {
    const exited = new Promise((r) => wrangler!.once('exit', r));
    try { process.kill(-wrangler.pid, 'SIGTERM'); } catch {}
    const timer = setTimeout(() => { try { process.kill(-wrangler!.pid!, 'SIGKILL'); } catch {} }, 5_000);
    await exited;
    clearTimeout(timer);
  }
  await relay?.close();
  await pg?.stop();
  if (persist.startsWith('/dev/shm/tracktrace-')) rmSync(persist, { recursive: true, force: true });
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
process.on('SIGHUP', () => void stop(0)); // the terminal closed: free the port

/** Fails at once when the port is taken (else the readiness check below could find another server). */
async function checkPort() {
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`PORT=${process.env.PORT} is not a port number`);
  await new Promise<void>((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EADDRINUSE') return reject(e);
      const other = runningInstances().find((i) => i.port === port);
      reject(new Error(
        `port ${port} is in use${other ? ` by the npm start of this checkout with TRACKTRACE_DATA_DIR=${other.dataDir} (pid ${other.pid})` : ''}: ` +
        'stop it, or choose another port, e.g. PORT=8788 npm start',
      ));
    });
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve()));
  });
}

try {
  await checkPort();
  log(`data folder ${dir}`);
  let databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) {
    log(`using DATABASE_URL (${new URL(databaseUrl).host})`);
  } else {
    // as root from a private folder (/root) the cluster lives where the postgres user can reach it
    const cluster = await clusterDir(path.join(dir, 'postgres'));
    if (cluster.note) log(cluster.note);
    pg = await startPostgres({ dir: cluster.dir, port: await freePort(), database: 'tracktrace', persistent: true });
    databaseUrl = pg.url;
    log(`embedded PostgreSQL on 127.0.0.1:${pg.port}, data in ${pg.dir}`);
  }
  await migrateDatabase(databaseUrl);
  log('migrations applied');

  const host = new URL(databaseUrl).hostname;
  const local = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host);
  if (local) relay = await startRelay();

  // The Worker gets its configuration from an env file (values stay out of argv and ps).
  const ownAuth = Boolean(process.env.AUTH_JWKS_URL || process.env.AUTH_JWKS || process.env.AUTH_ISSUER);
  const vars: Record<string, string | undefined> = {
    DATABASE_URL: databaseUrl,
    DB_WS_PROXY: relay?.url ?? process.env.DB_WS_PROXY,
    AUTH_ISSUER: ownAuth ? process.env.AUTH_ISSUER : DEV_ISSUER,
    AUTH_JWKS: ownAuth ? process.env.AUTH_JWKS : JSON.stringify((await loadDevKey(dir)).jwks),
    AUTH_JWKS_URL: process.env.AUTH_JWKS_URL,
    AUTH_AUDIENCE: process.env.AUTH_AUDIENCE,
    AUTH_TENANT_CLAIM: process.env.AUTH_TENANT_CLAIM,
    AUTH_CARRIERS_CLAIM: process.env.AUTH_CARRIERS_CLAIM,
    OUTBOX_SWEEP_S: process.env.OUTBOX_SWEEP_S,
    REBUILD_PAGE: process.env.REBUILD_PAGE,
    CORS_ORIGINS: process.env.CORS_ORIGINS,
    AUTH_CLOCK_SKEW_S: process.env.AUTH_CLOCK_SKEW_S,
    SNAPSHOT_FREQUENCY: process.env.SNAPSHOT_FREQUENCY,
    LOG_LEVEL: process.env.LOG_LEVEL,
    // operations (README "Operations"): TELEMETRY=off is the bench's baseline
    TELEMETRY: process.env.TELEMETRY,
    METRICS_TOKEN: process.env.METRICS_TOKEN,
    METRICS_FLUSH_S: process.env.METRICS_FLUSH_S,
    OTEL_EXPORTER_OTLP_ENDPOINT: process.env.OTEL_EXPORTER_OTLP_ENDPOINT,
    OTEL_EXPORTER_OTLP_HEADERS: process.env.OTEL_EXPORTER_OTLP_HEADERS,
    OTEL_TRACES_SAMPLER_ARG: process.env.OTEL_TRACES_SAMPLER_ARG,
    READY_MAX_LAG_S: process.env.READY_MAX_LAG_S,
    READY_MAX_BACKLOG: process.env.READY_MAX_BACKLOG,
    RETENTION_EVENTS: process.env.RETENTION_EVENTS,
    RETENTION_SNAPSHOTS: process.env.RETENTION_SNAPSHOTS,
    OBJECT_IDLE_EVICT_S: process.env.OBJECT_IDLE_EVICT_S ?? '5', // see StreamObject.touch
  };
  const envFile = path.join(dir, 'wrangler.env');
  writeFileSync(
    envFile,
    Object.entries(vars).filter(([, v]) => v).map(([k, v]) => `${k}='${v}'`).join('\n') + '\n',
    { mode: 0o600 },
  );

  // Default (--runtime=miniflare): the deploy bundle on Miniflare's API, without wrangler dev's proxy
  // (half the server CPU per append), Durable Objects' storage on tmpfs (or WRANGLER_PERSIST), crons
  // fired (scripts/serve.ts). `npm run dev` (--runtime=wrangler): wrangler dev, with live reload.
  if (runtime !== 'wrangler' && runtime !== 'miniflare') throw new Error(`runtime ${runtime}: use wrangler or miniflare`);
  wrangler = runtime === 'miniflare' ? spawn(
    process.execPath,
    [
      '--import', import.meta.resolve('tsx'), fileURLToPath(new URL('./serve.ts', import.meta.url)),
      '--ip', '127.0.0.1', '--port', String(port),
      '--env-file', envFile,
      '--persist-to', persist,
      '--log-level', process.env.WRANGLER_LOG_LEVEL ?? 'info',
      ...(process.env.INSPECTOR_PORT ? ['--inspector-port', process.env.INSPECTOR_PORT] : []),
    ],
    { stdio: 'inherit', detached: true, env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' } },
  ) : spawn(
    process.execPath,
    [
      path.resolve('node_modules/wrangler/bin/wrangler.js'), 'dev',
      '--ip', '127.0.0.1', '--port', String(port),
      '--env-file', envFile,
      '--persist-to', persist,
      '--log-level', process.env.WRANGLER_LOG_LEVEL ?? 'info', // warn: no line per request
      '--show-interactive-dev-session=false',
      ...(process.env.INSPECTOR_PORT ? ['--inspector-port', process.env.INSPECTOR_PORT] : []),
    ],
    {
      stdio: 'inherit',
      detached: true, // its own process group, so Ctrl-C can take down workerd with it
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
    },
  );
  wrangler.on('exit', (code) => { if (!stopping) { log(`${runtime === 'wrangler' ? 'wrangler' : 'serve'} exited (${code})`); void stop(code ?? 1); } });

  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/health/ready`)).ok) break;
    } catch {}
    if (i > 600) throw new Error('the API did not become ready within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  const rules = { ...tokenRulesFromEnv(), issuer: DEV_ISSUER };
  try {
    runFile = recordInstance({ pid: process.pid, port, url, dataDir: dir, devKey: !ownAuth, rules, startedAt: new Date().toISOString() });
  } catch (e) {
    log(`could not write the run file npm run token and npm run seed read (${e instanceof Error ? e.message : e}): give them PORT=${port} TRACKTRACE_DATA_DIR=${dir}`);
  }
  console.log(`\n  Track & Trace API  ${url}   (docs ${url}/docs)`);
  console.log(`  Dashboard          ${url}/   (paste a token to sign in)\n`);
  if (!ownAuth) {
    const scope = 'tracking:read tracking:write tracking:admin';
    const token = await signDevToken({ tenant: 'demo', scope, dir, rules });
    // PORT picks this instance when several run; with one, token and seed find it by themselves
    const env = port === 8787 ? '' : `PORT=${port} `;
    console.log(`  development token (tenant "demo", ${scope}, 8 h):\n\n  ${token}\n`);
    console.log(`  try it (paste this line):\n  curl -s -H "authorization: Bearer ${token}" "${url}/v1/entities?type=shipment&limit=5"\n`);
    console.log(`  more tokens:      ${env}npm run --silent token -- --tenant <id> [--scope "tracking:read tracking:write"]`);
    console.log(`  a day at Lima:    ${env}npm run seed`);
    console.log(`  its dashboard:    ${env}npm run --silent token -- --tenant lim-handling --scope "tracking:read tracking:operator"   (paste it at ${url}/)`);
    console.log(`  metrics:          curl -s -H "authorization: Bearer $(${env}npm run --silent token -- --tenant ops --scope tracking:operator)" ${url}/metrics\n`);
  }
} catch (e) {
  console.error('[tracktrace] start failed:', e instanceof Error ? e.message : e);
  await stop(1);
}
