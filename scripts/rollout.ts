// Gradual deploy of the Worker with automatic rollback (the GitHub workflow runs it; see README "Deploy").
//
//   tsx scripts/rollout.ts deploy   [--env staging]   upload a version, shift traffic step by step, judge, roll back on a rise
//   tsx scripts/rollout.ts rollback <version-id> [--env staging]   put that version at 100 % (manual rollback)
//   tsx scripts/rollout.ts abort    [--env staging]   after a cancelled or crashed run: back to the old version if the new one still has traffic
//
// deploy: (1) if nothing is deployed yet, or the Durable Object migrations in wrangler.toml have tags the
// deployed commit lacks, a plain `wrangler deploy` (Cloudflare rejects a version upload that changes
// Durable Object classes, and the first upload must create them); (2) otherwise `wrangler versions upload`,
// a smoke check of the new version at 0 % through a version override, then for each step (ROLLOUT_STEPS,
// default 10,50,100) `wrangler versions deploy <new>@p% <old>@(100-p)%`, a wait of ROLLOUT_STEP_S, and a
// verdict on the error rate from METRICS_URL (scripts/rolloutDecision.ts); (3) `wrangler triggers deploy`
// at the end (cron and queue consumer changes are not part of a version).
// Every uploaded or deployed version's message carries `[git:<sha>]`: that is how the next run finds
// the deployed commit (and compares its wrangler.toml's Durable Object migrations with this one's).
//
// Environment: METRICS_URL, METRICS_TOKEN (Bearer for /metrics), HEALTH_URL (…/health/ready), GIT_SHA
// (default: git rev-parse HEAD), ROLLOUT_STEPS, ROLLOUT_STEP_S (300), ROLLOUT_SETTLE_S (30),
// ROLLOUT_MAX_WINDOWS (2), ROLLOUT_LOW_TRAFFIC (proceed|fail), ROLLOUT_MAX_ERROR_RATE, ROLLOUT_MAX_INCREASE,
// ROLLOUT_MIN_REQUESTS, ROLLOUT_MIN_ERRORS, ROLLOUT_RETRY_S (5), ROLLOUT_STATE_FILE; and wrangler's own
// CLOUDFLARE_API_TOKEN / CLOUDFLARE_ACCOUNT_ID.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { experimental_readRawConfig } from 'wrangler';
import {
  commitOfMessage,
  counterDelta,
  decide,
  durableObjectMigrationTags,
  newMigrationTags,
  parsePrometheusText,
  parseSteps,
  thresholdsFromEnv,
  windowBetween,
  type Sample,
  type Thresholds,
  type Verdict,
} from './rolloutDecision.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// ROLLOUT_WRANGLER: another wrangler (test/rollout.node.test.ts runs the rollout against a fake one)
const WRANGLER_BIN = process.env.ROLLOUT_WRANGLER || path.join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
const inActions = !!process.env.GITHUB_ACTIONS;

const log = (msg: string) => console.log(`rollout: ${msg}`);
const warn = (msg: string) => console.log(inActions ? `::warning::rollout: ${msg}` : `rollout: warning: ${msg}`);
const error = (msg: string) => console.error(inActions ? `::error::rollout: ${msg}` : `rollout: error: ${msg}`);
const summary = (line: string) => {
  if (process.env.GITHUB_STEP_SUMMARY) writeFileSync(process.env.GITHUB_STEP_SUMMARY, `${line}\n`, { flag: 'a' });
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Stop extends Error {
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
  }
}

// ---- wrangler ----

type Run = { code: number; out: string };

/** Runs wrangler for the environment, echoing its output and keeping it (to look for error codes). */
function wrangler(env: string, args: string[], extraEnv: Record<string, string> = {}, quiet = false): Promise<Run> {
  // `--env=` selects the top level explicitly: with [env.staging] defined, wrangler warns when no env is given
  const full = [...args, `--env=${env}`];
  if (!quiet) log(`$ wrangler ${full.join(' ')}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRANGLER_BIN, ...full], {
      cwd: ROOT,
      // CI=true: never prompt (wrangler takes its defaults / fallbacks non-interactively)
      env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false', ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      if (!quiet) process.stdout.write(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d;
      process.stderr.write(d);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

async function wranglerOk(env: string, args: string[], extraEnv?: Record<string, string>): Promise<string> {
  const r = await wrangler(env, args, extraEnv);
  if (r.code !== 0) throw new Stop(`wrangler ${args[0]} ${args[1] ?? ''} failed (exit ${r.code})`);
  return r.out;
}

const jsonOf = <T>(out: string): T => JSON.parse(out.slice(out.search(/[[{]/))) as T;

type Deployment = { id: string; versions: { version_id: string; percentage: number }[] };

/** The current deployment, or null when the Worker has never been deployed. */
async function currentDeployment(env: string): Promise<Deployment | null> {
  const r = await wrangler(env, ['deployments', 'status', '--json'], {}, true);
  if (r.code !== 0) {
    if (/has no deployments|not found|\b10007\b/i.test(r.out)) return null;
    process.stderr.write(r.out);
    throw new Stop('wrangler deployments status failed');
  }
  return jsonOf<Deployment>(r.out);
}

async function versionMessage(env: string, versionId: string): Promise<string | undefined> {
  const r = await wrangler(env, ['versions', 'view', versionId, '--json'], {}, true);
  if (r.code !== 0) return undefined;
  return jsonOf<{ annotations?: Record<string, string> }>(r.out).annotations?.['workers/message'];
}

async function uploadVersion(env: string, message: string): Promise<{ id: string } | { rejectedForMigrations: true }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rollout-'));
  const outputFile = path.join(dir, 'wrangler-output.jsonl');
  try {
    const r = await wrangler(env, ['versions', 'upload', '--message', message], { WRANGLER_OUTPUT_FILE_PATH: outputFile });
    // error 10211: the upload changes Durable Object classes, which only `wrangler deploy` may do
    if (r.code !== 0 && /\b10211\b/.test(r.out)) return { rejectedForMigrations: true };
    if (r.code !== 0) throw new Stop(`wrangler versions upload failed (exit ${r.code})`);
    const entries = existsSync(outputFile)
      ? readFileSync(outputFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { type?: string; version_id?: string })
      : [];
    const id = entries.find((e) => e.type === 'version-upload')?.version_id ?? /Worker Version ID: ([0-9a-f-]{36})/.exec(r.out)?.[1];
    if (!id) throw new Stop('wrangler versions upload printed no version id');
    return { id };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- configuration ----

type RawConfig = Parameters<typeof durableObjectMigrationTags>[0] & { name?: string; env?: Record<string, { name?: string } | undefined> };

const readRaw = (file: string) => experimental_readRawConfig({ config: file }, { hideWarnings: true }).rawConfig as unknown as RawConfig;

function workerName(env: string): string {
  const raw = readRaw(path.join(ROOT, 'wrangler.toml'));
  return env ? (raw.env?.[env]?.name ?? `${raw.name}-${env}`) : (raw.name ?? 'tracktrace');
}

/** Durable Object migration tags in this checkout that the deployed commit's wrangler.toml lacks; null: unknown. */
function pendingDurableObjectMigrations(env: string, deployedSha: string | null): string[] | null {
  const here = durableObjectMigrationTags(readRaw(path.join(ROOT, 'wrangler.toml')), env || undefined);
  if (!deployedSha) return null;
  const old = spawnSync('git', ['show', `${deployedSha}:wrangler.toml`], { cwd: ROOT, encoding: 'utf8' });
  if (old.status !== 0) return null;
  const dir = mkdtempSync(path.join(tmpdir(), 'rollout-'));
  try {
    writeFileSync(path.join(dir, 'wrangler.toml'), old.stdout);
    return newMigrationTags(here, durableObjectMigrationTags(readRaw(path.join(dir, 'wrangler.toml')), env || undefined));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function gitSha(): string {
  if (process.env.GIT_SHA) return process.env.GIT_SHA;
  const r = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Stop('GIT_SHA is not set and git rev-parse HEAD failed');
  return r.stdout.trim();
}

const seconds = (key: string, fallback: number) => {
  const raw = process.env[key];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Stop(`${key}=${raw} is not a number of seconds`, 2);
  return n;
};

// ---- metrics and health ----

/** Seconds between the tries of a scrape or a smoke check (ROLLOUT_RETRY_S, default 5). */
const retryS = () => seconds('ROLLOUT_RETRY_S', 5);

async function scrape(): Promise<Sample[]> {
  const url = process.env.METRICS_URL;
  if (!url) throw new Stop('METRICS_URL is not set: the rollout cannot measure the error rate', 2);
  const headers: Record<string, string> = {};
  if (process.env.METRICS_TOKEN) headers.authorization = `Bearer ${process.env.METRICS_TOKEN}`;
  let last = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(15_000) });
      const body = await res.text();
      if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${body.slice(0, 200)}`);
      return parsePrometheusText(body);
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
      warn(`scrape ${attempt}/3 failed: ${last}`);
      if (attempt < 3) await sleep(retryS() * 1000);
    }
  }
  throw new Stop(`cannot read the metrics (${last}): the error rate cannot be judged`);
}

/**
 * A 503 whose only failing check is the read side's lag is global database state, not the version's
 * health: a fix for a stalled projector must still be deployable.
 */
function writesReady(status: number, body: string): boolean {
  if (status !== 503) return false;
  try {
    const checks = (JSON.parse(body) as { checks?: Record<string, string> }).checks ?? {};
    return checks.postgres === 'ok' && checks.queue === 'ok' && checks.projections === 'lagging';
  } catch {
    return false;
  }
}

/** GET HEALTH_URL until it answers 2xx (a few tries: a new deployment takes seconds to reach every location). */
async function smoke(label: string, headers: Record<string, string> = {}): Promise<void> {
  const url = process.env.HEALTH_URL;
  if (!url) {
    warn(`HEALTH_URL is not set: no smoke check of ${label}`);
    return;
  }
  let last = '';
  for (let attempt = 1; attempt <= 6; attempt++) {
    try {
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(15_000) });
      const body = await res.text();
      if (res.ok || writesReady(res.status, body)) {
        log(`smoke check of ${label}: ${url} answered ${res.status}${res.ok ? '' : ' (the read side lags: that is the store, not this version; writes are ready)'}`);
        return;
      }
      last = `${res.status} ${body.slice(0, 300)}`;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    if (attempt < 6) await sleep(retryS() * 1000);
  }
  throw new Stop(`smoke check of ${label} failed: ${url} answered ${last}`);
}

// ---- the rollout ----

type State = { env: string; oldVersion: string; newVersion: string; sha: string };
const stateFile = () => process.env.ROLLOUT_STATE_FILE || path.join(process.env.RUNNER_TEMP || tmpdir(), 'tracktrace-rollout-state.json');

/** Whether the deployment splits traffic as the rollout left it (versions at 0 % left out on both sides). */
function sameTraffic(d: Deployment | null, want: Map<string, number>): boolean {
  if (!d) return false;
  const live = d.versions.filter((v) => v.percentage > 0);
  return live.length === [...want.values()].filter((p) => p > 0).length && live.every((v) => want.get(v.version_id) === v.percentage);
}

let rolledBack = false;

async function rollBack(env: string, to: string, why: string, sha: string): Promise<void> {
  rolledBack = true;
  error(`rolling back to ${to}: ${why}`);
  // `wrangler rollback` replaces a split deployment by the chosen version at 100 %
  // the message names the commit rolled back FROM, without the [git:…] marker (that marks a version's own commit)
  await wranglerOk(env, ['rollback', to, '--message', `auto rollback of ${sha.slice(0, 12)}`, '-y']);
  summary(`- rolled back to \`${to}\`: ${why}`);
}

async function plainDeploy(env: string, sha: string, why: string): Promise<void> {
  warn(`${why}: deploying with a plain \`wrangler deploy\` (100 % at once, no gradual steps, no automatic rollback)`);
  summary(`- plain \`wrangler deploy\`: ${why}`);
  await wranglerOk(env, ['deploy', '--message', `deploy [git:${sha}]`]);
  await smoke('the deployed version');
}

async function deploy(env: string): Promise<void> {
  const sha = gitSha();
  const steps = parseSteps(process.env.ROLLOUT_STEPS);
  const stepS = seconds('ROLLOUT_STEP_S', 300);
  const settleS = seconds('ROLLOUT_SETTLE_S', 30);
  const maxWindows = Math.max(1, Math.floor(seconds('ROLLOUT_MAX_WINDOWS', 2)));
  const lowTraffic = process.env.ROLLOUT_LOW_TRAFFIC || 'proceed';
  if (lowTraffic !== 'proceed' && lowTraffic !== 'fail') throw new Stop(`ROLLOUT_LOW_TRAFFIC=${lowTraffic}: expected proceed or fail`, 2);
  let thresholds: Thresholds;
  try {
    thresholds = thresholdsFromEnv(process.env);
  } catch (e) {
    throw new Stop((e as Error).message, 2);
  }
  if (!process.env.ROLLOUT_WRANGLER && !existsSync(path.join(ROOT, 'dashboard', 'dist', 'index.html'))) throw new Stop('dashboard/dist is missing: run `npm run build:dashboard` first', 2);
  const name = workerName(env);
  log(`${name} at ${sha}: steps ${steps.join(' → ')} %, ${stepS} s each; thresholds ${JSON.stringify(thresholds)}`);
  summary(`### Deploy of \`${name}\` at \`${sha.slice(0, 12)}\``);

  const current = await currentDeployment(env);
  if (!current) return plainDeploy(env, sha, `${name} has no deployment yet (the first deploy creates the Durable Object classes)`);
  const only = current.versions.length === 1 ? current.versions[0]! : null;
  if (!only || only.percentage !== 100) {
    const split = current.versions.map((v) => `${v.version_id}@${v.percentage}%`).join(' ');
    throw new Stop(`the current deployment is split (${split}): an earlier rollout did not finish. Roll back or forward by hand first (README: "Rolling back").`, 2);
  }
  const oldVersion = only.version_id;
  const deployedSha = commitOfMessage(await versionMessage(env, oldVersion));
  const pending = pendingDurableObjectMigrations(env, deployedSha);
  log(`current version ${oldVersion} (commit ${deployedSha ?? 'unknown'})`);
  if (pending && pending.length > 0) {
    return plainDeploy(env, sha, `wrangler.toml adds Durable Object migration(s) ${pending.join(', ')} since ${deployedSha}; a version that changes Durable Object classes must go out with \`wrangler deploy\`, not as a gradual version`);
  }
  if (!pending) log('the deployed commit is unknown here: Cloudflare itself will refuse the upload (10211) if it changes Durable Object classes');

  const uploaded = await uploadVersion(env, `upload [git:${sha}]`);
  if ('rejectedForMigrations' in uploaded) {
    return plainDeploy(env, sha, 'Cloudflare refused the version upload (10211: it changes Durable Object classes)');
  }
  const newVersion = uploaded.id;
  log(`uploaded version ${newVersion}`);
  writeFileSync(stateFile(), JSON.stringify({ env, oldVersion, newVersion, sha } satisfies State));

  let expected = new Map([[oldVersion, 100]]);
  let interrupted = false;
  const onSignal = (signal: string) => {
    if (interrupted) return;
    interrupted = true;
    error(`${signal}: stopping the rollout`);
    rollBack(env, oldVersion, `the rollout was interrupted (${signal})`, sha).then(
      () => process.exit(130),
      () => process.exit(130),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const shift = async (p: number) => {
    if (interrupted) throw new Stop('interrupted', 130);
    const d = await currentDeployment(env);
    if (!sameTraffic(d, expected)) {
      throw new Stop(`the deployment changed under the rollout (now ${JSON.stringify(d?.versions)}): someone rolled back or deployed by hand; stopping without touching it`, 3);
    }
    const specs = p === 100 ? [`${newVersion}@100%`] : [`${newVersion}@${p}%`, `${oldVersion}@${100 - p}%`];
    await wranglerOk(env, ['versions', 'deploy', ...specs, '--message', `rollout ${p}% [git:${sha}]`, '-y']);
    expected = new Map([
      [newVersion, p],
      [oldVersion, 100 - p],
    ]);
  };

  try {
    // the new version at 0 %: only requests that ask for it (a version override) reach it
    if (process.env.HEALTH_URL) {
      await shift(0);
      await sleep(Math.min(settleS, 5) * 1000);
      await smoke(`version ${newVersion} at 0 %`, { 'Cloudflare-Workers-Version-Overrides': `${name}="${newVersion}"` });
    }
    for (const p of steps) {
      await shift(p);
      log(`${p} % of traffic on ${newVersion}; waiting ${settleS} s for the switch to settle`);
      await sleep(settleS * 1000);
      let before = await scrape();
      let verdict: Verdict | undefined;
      for (let w = 1; !verdict || (verdict.action === 'wait' && w <= maxWindows); w++) {
        log(`step ${p} %: window ${w}/${maxWindows}, ${stepS} s`);
        await sleep(stepS * 1000);
        const after = await scrape();
        const window = windowBetween(before, after);
        if (window.unlabeled > 0) warn(`${window.unlabeled} series of tt_http_requests_total have no version label and are not counted`);
        if (window.resets > 0) {
          const again = w < maxWindows;
          warn(`${window.resets} counter series went down between the scrapes (the metrics aggregator restarted?)${again ? ': measuring the window again' : ': judging on the series that grew'}`);
          if (again) {
            before = after;
            continue;
          }
        }
        verdict = decide(window, newVersion, p === 100 ? null : oldVersion, thresholds);
        // the aggregator refused new series: the new version's requests may be missing, so "too few" proves nothing
        const dropped = counterDelta(before, after, 'tt_metrics_series_dropped_total');
        if (dropped > 0) verdict = { ...verdict, action: 'rollback', reason: `${dropped} new metric series were dropped by the aggregator (at its cap): the error rate cannot be judged` };
        log(`step ${p} %: ${verdict.action}: ${verdict.reason}`);
      }
      if (verdict.action === 'rollback') {
        await rollBack(env, oldVersion, `at ${p} %: ${verdict.reason}`, sha);
        throw new Stop(`rolled back to ${oldVersion}`);
      }
      if (verdict.action === 'wait') {
        if (lowTraffic === 'fail') {
          await rollBack(env, oldVersion, `at ${p} %: ${verdict.reason} (ROLLOUT_LOW_TRAFFIC=fail)`, sha);
          throw new Stop(`rolled back to ${oldVersion}: not enough traffic to judge`);
        }
        warn(`step ${p} %: ${verdict.reason}; proceeding (ROLLOUT_LOW_TRAFFIC=proceed)`);
      }
      summary(`- ${p} %: ${verdict.action} (${verdict.reason})`);
    }
    // crons and queue consumers belong to the Worker, not to a version
    await wranglerOk(env, ['triggers', 'deploy']);
  } catch (e) {
    const stop = e instanceof Stop ? e : new Stop(e instanceof Error ? e.message : String(e));
    // an unexpected failure halfway (wrangler or the network): back to the old version unless someone else changed the deployment
    if (!interrupted && !rolledBack && stop.code !== 3) {
      const d = await currentDeployment(env).catch(() => null);
      if (d && d.versions.some((v) => v.version_id === newVersion)) {
        await rollBack(env, oldVersion, `the rollout failed: ${stop.message}`, sha).catch((r) => error(`rollback failed too: ${(r as Error).message}`));
      }
    }
    throw stop;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  rmSync(stateFile(), { force: true });
  log(`${newVersion} serves 100 % of ${name}`);
  summary(`- done: \`${newVersion}\` at 100 %`);
}

/** After a cancelled or crashed run (the workflow calls it on cancel): the old version back if the new one still has traffic. */
async function abort(env: string): Promise<void> {
  if (!existsSync(stateFile())) return log('no rollout in progress (no state file)');
  const state = JSON.parse(readFileSync(stateFile(), 'utf8')) as State;
  const d = await currentDeployment(env);
  const onNew = d?.versions.find((v) => v.version_id === state.newVersion);
  if (!onNew) log(`the new version ${state.newVersion} has no traffic: nothing to undo`);
  else if (onNew.percentage === 100) log(`the new version ${state.newVersion} already serves 100 %: leaving it`);
  else await rollBack(env, state.oldVersion, 'the rollout was cancelled before it finished', state.sha);
  rmSync(stateFile(), { force: true });
}

async function manualRollback(env: string, versionId: string | undefined): Promise<void> {
  if (!versionId || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(versionId)) {
    throw new Stop('rollback needs the version id to put back (wrangler versions list shows them)', 2);
  }
  const sha = commitOfMessage(await versionMessage(env, versionId));
  log(`rolling back ${workerName(env)} to ${versionId} (commit ${sha ?? 'unknown'}); the database keeps its schema (migrations are expand-only)`);
  await wranglerOk(env, ['rollback', versionId, '--message', `manual rollback${sha ? ` [git:${sha}]` : ''}`, '-y']);
  await smoke(`version ${versionId}`);
  summary(`- manual rollback to \`${versionId}\``);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { env: { type: 'string', default: '' } } });
  const [command = 'deploy', arg] = positionals;
  const env = values.env ?? '';
  const run = command === 'deploy' ? () => deploy(env) : command === 'abort' ? () => abort(env) : command === 'rollback' ? () => manualRollback(env, arg) : null;
  if (!run) {
    error(`unknown command ${command}: deploy, rollback <version-id> or abort`);
    process.exit(2);
  }
  try {
    await run();
  } catch (e) {
    error(e instanceof Error ? e.message : String(e));
    process.exit(e instanceof Stop ? e.code : 1);
  }
}
