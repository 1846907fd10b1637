// The gradual rollout (scripts/rollout.ts, scripts/rolloutDecision.ts) without Cloudflare: the
// Prometheus parser, the per-version window and the verdict as pure functions; then the whole
// driver against a fake wrangler (a script that keeps the deployment in a JSON file) and a local
// /metrics that adds traffic per scrape as the current split sends it; and the staging environment
// of wrangler.toml against the top level (the keys wrangler does not inherit into [env.X]).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { experimental_readRawConfig } from 'wrangler';
import {
  counterDelta,
  commitOfMessage,
  decide,
  DEFAULT_THRESHOLDS,
  durableObjectMigrationTags,
  newMigrationTags,
  parsePrometheusText,
  parseSteps,
  PrometheusParseError,
  thresholdsFromEnv,
  windowBetween,
  type Sample,
} from '../scripts/rolloutDecision';

const ROOT = path.join(__dirname, '..');
const OLD = '11111111-1111-4111-8111-111111111111';
const NEW = '22222222-2222-4222-8222-222222222222';

/** tt_http_requests_total lines: [version, status, count][] */
const requests = (rows: [string, number, number][]): Sample[] =>
  parsePrometheusText(rows.map(([v, s, n]) => `tt_http_requests_total{route="/v1/streams/:streamId/events",method="POST",status="${s}",version="${v}"} ${n}`).join('\n'));

describe('parsePrometheusText', () => {
  it('reads an exposition as prom-client writes it: help, type, labels with escapes, histograms, +Inf, timestamps', () => {
    const text = [
      '# HELP tt_http_requests_total HTTP requests by route pattern, method, status and Worker version id.',
      '# TYPE tt_http_requests_total counter',
      'tt_http_requests_total{route="/v1/streams/:streamId",method="GET",status="200",version="abc"} 42',
      'tt_http_requests_total{route="/weird \\"quoted\\" \\\\ path\\n",method="GET",status="503",version="abc",} 1.5e3',
      'tt_append_duration_seconds_bucket{le="+Inf"} 7',
      'tt_append_duration_seconds_sum 0.25 1700000000000',
      'tt_outbox_backlog NaN',
      'tt_projection_lag_seconds +Inf',
      '',
      '# EOF',
    ].join('\r\n');
    const samples = parsePrometheusText(text);
    expect(samples).toHaveLength(6);
    expect(samples[0]).toEqual({ name: 'tt_http_requests_total', labels: { route: '/v1/streams/:streamId', method: 'GET', status: '200', version: 'abc' }, value: 42 });
    expect(samples[1]!.labels.route).toBe('/weird "quoted" \\ path\n');
    expect(samples[1]!.value).toBe(1500);
    expect(samples[2]).toEqual({ name: 'tt_append_duration_seconds_bucket', labels: { le: '+Inf' }, value: 7 });
    expect(samples[3]!.value).toBe(0.25);
    expect(samples[4]!.value).toBeNaN();
    expect(samples[5]!.value).toBe(Infinity);
  });

  it.each([
    ['a value missing', 'tt_http_requests_total{status="200"}', 'expected a value'],
    ['an unterminated label value', 'tt_http_requests_total{status="200} 5', 'unterminated'],
    ['a value that is not a number', 'tt_http_requests_total{status="200"} lots', 'bad value'],
    ['an unquoted label value', 'tt_http_requests_total{status=200} 5', 'not quoted'],
    ['an HTML error page', '<html><body>502 Bad Gateway</body></html>', 'no metric name'],
  ])('refuses %s, naming the line', (_what, line, detail) => {
    const text = `# TYPE tt_http_requests_total counter\n${line}\n`;
    expect(() => parsePrometheusText(text)).toThrow(PrometheusParseError);
    expect(() => parsePrometheusText(text)).toThrow(new RegExp(`line 2: .*${detail}`));
  });
});

describe('the window between two scrapes', () => {
  it('counts each version by the difference of its series, 5xx apart', () => {
    const w = windowBetween(
      requests([[OLD, 201, 1000], [OLD, 503, 2], [NEW, 201, 10]]),
      requests([[OLD, 201, 1900], [OLD, 503, 3], [NEW, 201, 110], [NEW, 500, 1]]),
    );
    expect(w.versions.get(OLD)).toEqual({ total: 901, errors: 1 });
    // the 500 series did not exist at the first scrape: it started from zero after it
    expect(w.versions.get(NEW)).toEqual({ total: 101, errors: 1 });
    expect(w.resets).toBe(0);
  });

  it('a counter that went down (the aggregator lost its last unsaved seconds) counts 0, not its whole history, and is reported', () => {
    const w = windowBetween(requests([[OLD, 201, 1_000_000], [NEW, 201, 50]]), requests([[OLD, 201, 999_990], [NEW, 201, 350]]));
    expect(w.resets).toBe(1);
    expect(w.versions.get(OLD)).toEqual({ total: 0, errors: 0 });
    expect(w.versions.get(NEW)).toEqual({ total: 300, errors: 0 });
  });

  it("leaves monitors' polls out: a lagging read side's 503s from /health/ready judge no version", () => {
    const w = windowBetween([], parsePrometheusText([
      `tt_http_requests_total{route="/health/ready",method="GET",status="503",version="${NEW}"} 40`,
      `tt_http_requests_total{route="/metrics",method="GET",status="200",version="${NEW}"} 40`,
      `tt_http_requests_total{route="/v1/streams/:streamId/events",method="POST",status="201",version="${NEW}"} 7`,
    ].join('\n') + '\n'));
    expect(w.versions.get(NEW)).toEqual({ total: 7, errors: 0 });
  });

  it('measures how much the dropped-series counter grew', () => {
    const at = (n: number) => parsePrometheusText(`tt_metrics_series_dropped_total ${n}\n`);
    expect(counterDelta([], at(3), 'tt_metrics_series_dropped_total')).toBe(3);
    expect(counterDelta(at(3), at(3), 'tt_metrics_series_dropped_total')).toBe(0);
    expect(counterDelta(at(5), at(2), 'tt_metrics_series_dropped_total')).toBe(0);
  });

  it('knows when the metric is missing, and counts series without a version label apart', () => {
    expect(windowBetween([], parsePrometheusText('tt_outbox_backlog 3\n')).present).toBe(false);
    const w = windowBetween([], parsePrometheusText('tt_http_requests_total{status="200"} 3\n'));
    expect(w.present).toBe(true);
    expect(w.unlabeled).toBe(1);
    expect(w.versions.size).toBe(0);
  });
});

describe('decide', () => {
  const judge = (before: [string, number, number][], after: [string, number, number][], old: string | null = OLD) =>
    decide(windowBetween(requests(before), requests(after)), NEW, old, DEFAULT_THRESHOLDS);

  it('proceeds with a healthy new version', () => {
    const v = judge([[OLD, 200, 5000], [OLD, 503, 5], [NEW, 200, 0]], [[OLD, 200, 14000], [OLD, 503, 14], [NEW, 200, 1000], [NEW, 503, 1]]);
    expect(v.action).toBe('proceed');
    expect(v.current).toEqual({ total: 1001, errors: 1 });
    expect(v.reason).toMatch(/1 5xx of 1001/);
  });

  it('rolls back a new version whose 5xx share is above the ceiling', () => {
    const v = judge([[OLD, 200, 0], [NEW, 200, 0]], [[OLD, 200, 9000], [NEW, 200, 900], [NEW, 500, 100]]);
    expect(v.action).toBe('rollback');
    expect(v.reason).toMatch(/100 5xx of 1000 \(10\.00 %\), above the 2\.00 % ceiling/);
  });

  it('rolls back a rise against the old version below the ceiling, but not for a stray error or two', () => {
    const rise = judge([], [[OLD, 200, 9990], [OLD, 503, 10], [NEW, 200, 985], [NEW, 503, 15]]);
    expect(rise.action).toBe('rollback');
    expect(rise.reason).toMatch(/against the old version's 10 5xx of 10000/);
    const stray = judge([], [[OLD, 200, 10000], [NEW, 200, 198], [NEW, 503, 2]]);
    expect(stray.action).toBe('proceed');
  });

  it('waits when too few requests reached the new version, unless those few already fail too often', () => {
    const thin = judge([], [[OLD, 200, 500], [NEW, 200, 40], [NEW, 503, 1]]);
    expect(thin.action).toBe('wait');
    expect(thin.reason).toMatch(/served 41 requests, fewer than 100/);
    const failing = judge([], [[OLD, 200, 500], [NEW, 200, 30], [NEW, 503, 10]]);
    expect(failing.action).toBe('rollback');
    expect(failing.reason).toMatch(/thin traffic/);
  });

  it('at 100 % judges the new version by the ceiling alone', () => {
    const v = judge([], [[NEW, 200, 990], [NEW, 503, 10]], null);
    expect(v.action).toBe('proceed');
    expect(v.previous).toBeNull();
  });

  it('rolls back when the scrape has no request counter at all (the error rate cannot be measured)', () => {
    const v = decide(windowBetween([], parsePrometheusText('tt_outbox_backlog 0\n')), NEW, OLD);
    expect(v.action).toBe('rollback');
    expect(v.reason).toMatch(/not in the scrape/);
  });
});

describe('rollout settings and helpers', () => {
  it('reads thresholds and steps from the environment, refusing nonsense', () => {
    expect(thresholdsFromEnv({})).toEqual(DEFAULT_THRESHOLDS);
    expect(thresholdsFromEnv({ ROLLOUT_MAX_ERROR_RATE: '0.1', ROLLOUT_MIN_REQUESTS: '10' })).toMatchObject({ maxErrorRate: 0.1, minRequests: 10 });
    expect(() => thresholdsFromEnv({ ROLLOUT_MAX_ERROR_RATE: '5' })).toThrow(/ROLLOUT_MAX_ERROR_RATE=5/);
    expect(() => thresholdsFromEnv({ ROLLOUT_MIN_REQUESTS: 'many' })).toThrow();
    expect(parseSteps(undefined)).toEqual([10, 50, 100]);
    expect(parseSteps('25, 100')).toEqual([25, 100]);
    expect(() => parseSteps('50,10,100')).toThrow();
    expect(() => parseSteps('10,50')).toThrow(/ending at 100/);
  });

  it('finds Durable Object migrations new since the deployed commit, and the commit in a message', () => {
    const raw = { migrations: [{ tag: 'v1' }, { tag: 'v2' }], env: { staging: {} } };
    expect(durableObjectMigrationTags(raw, 'staging')).toEqual(['v1', 'v2']); // inherited
    expect(newMigrationTags(['v1', 'v2', 'v3'], ['v1', 'v2'])).toEqual(['v3']);
    expect(newMigrationTags(['v1', 'v2'], ['v1', 'v2'])).toEqual([]);
    expect(commitOfMessage('rollout 10% [git:0123456789abcdef0123456789abcdef01234567]')).toBe('0123456789abcdef0123456789abcdef01234567');
    expect(commitOfMessage('deployed from the dashboard')).toBeNull();
  });
});

describe('wrangler.toml: [env.staging] redefines what environments do not inherit', () => {
  type Raw = {
    name?: string;
    vars?: Record<string, unknown>;
    durable_objects?: { bindings: { name: string; class_name: string }[] };
    queues?: { producers?: { binding: string; queue: string }[]; consumers?: { queue: string; dead_letter_queue?: string }[] };
    ratelimits?: { name: string; namespace_id: string }[];
    version_metadata?: { binding: string };
    env?: Record<string, Raw>;
  };
  const raw = experimental_readRawConfig({ config: path.join(ROOT, 'wrangler.toml') }, { hideWarnings: true }).rawConfig as unknown as Raw;
  const staging = raw.env?.staging ?? {};

  it('has every var, Durable Object binding, rate limit and the version metadata of the top level', () => {
    expect(staging.name).toBe('tracktrace-staging');
    expect(Object.keys(staging.vars ?? {}).sort()).toEqual(expect.arrayContaining(Object.keys(raw.vars ?? {}).sort()));
    expect(staging.durable_objects?.bindings).toEqual(raw.durable_objects?.bindings);
    expect(staging.version_metadata).toEqual(raw.version_metadata);
    expect(staging.ratelimits?.map((r) => r.name).sort()).toEqual(raw.ratelimits?.map((r) => r.name).sort());
    const ids = new Set(raw.ratelimits?.map((r) => r.namespace_id));
    expect(staging.ratelimits?.filter((r) => ids.has(r.namespace_id))).toEqual([]);
  });

  it('has its own queues, one per production queue, with the suffixes the consumer routes by', () => {
    const mapped = (q: string) => q.replace(/^tracktrace-/, 'tracktrace-staging-');
    expect(staging.queues?.producers).toEqual(raw.queues?.producers?.map((p) => ({ ...p, queue: mapped(p.queue) })));
    expect(staging.queues?.consumers).toEqual(
      raw.queues?.consumers?.map((c) => ({ ...c, queue: mapped(c.queue), ...(c.dead_letter_queue ? { dead_letter_queue: mapped(c.dead_letter_queue) } : {}) })),
    );
  });
});

// ---- the driver against a fake wrangler ----

const FAKE_WRANGLER = `
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
const file = process.env.FAKE_WRANGLER_STATE;
const st = JSON.parse(readFileSync(file, 'utf8'));
const args = process.argv.slice(2).filter((a) => !a.startsWith('--env='));
st.calls.push(args.join(' '));
const done = (code = 0) => { writeFileSync(file, JSON.stringify(st)); process.exit(code); };
const flag = (f) => args[args.indexOf(f) + 1];
const [a0, a1] = args;
if (a0 === 'deployments' && a1 === 'status') {
  if (!st.deployment) { console.error('This Worker does not exist on your account. [code: 10007]'); done(1); }
  console.log(JSON.stringify({ id: 'dep', versions: st.deployment })); done();
}
if (a0 === 'versions' && a1 === 'view') { console.log(JSON.stringify({ id: args[2], annotations: { 'workers/message': st.messages[args[2]] } })); done(); }
if (a0 === 'versions' && a1 === 'upload') {
  if (st.rejectUpload) { console.error('A request to the Cloudflare API failed. [code: 10211]'); done(1); }
  const id = randomUUID(); st.messages[id] = flag('--message'); st.uploaded = id;
  appendFileSync(process.env.WRANGLER_OUTPUT_FILE_PATH, JSON.stringify({ type: 'version-upload', version_id: id }) + '\\n');
  done();
}
if (a0 === 'versions' && a1 === 'deploy') {
  st.deployment = args.filter((a) => /^[0-9a-f-]{36}@/.test(a)).map((s) => ({ version_id: s.split('@')[0], percentage: parseFloat(s.split('@')[1]) }));
  done();
}
if (a0 === 'rollback') { st.deployment = [{ version_id: args[1], percentage: 100 }]; done(); }
if (a0 === 'deploy') { const id = randomUUID(); st.messages[id] = flag('--message'); st.deployment = [{ version_id: id, percentage: 100 }]; done(); }
if (a0 === 'triggers') done();
console.error('fake wrangler: unknown command ' + args.join(' ')); done(1);
`;

type FakeState = {
  deployment: { version_id: string; percentage: number }[] | null;
  messages: Record<string, string>;
  calls: string[];
  uploaded?: string;
  rejectUpload?: boolean;
};

describe('scripts/rollout.ts deploy, against a fake wrangler and a local /metrics', () => {
  let dir: string;
  let server: Server;
  let base: string;
  // what the current test's /metrics and /health/ready do
  let stateFile = '';
  let newErrorRate = 0;
  let metricsBody: string | null = null;
  let healthStatus = 200;
  let overrides: string[] = [];
  let counters = new Map<string, number>();

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'rollout-test-'));
    writeFileSync(path.join(dir, 'wrangler.mjs'), FAKE_WRANGLER);
    server = createServer((req, res) => {
      if (req.url === '/health/ready') {
        overrides.push(String(req.headers['cloudflare-workers-version-overrides'] ?? ''));
        res.writeHead(healthStatus).end(healthStatus === 200 ? '{"status":"ready"}' : '{"status":"unavailable"}');
        return;
      }
      if (req.url !== '/metrics' || req.headers.authorization !== 'Bearer metrics-secret') return void res.writeHead(401).end();
      if (metricsBody !== null) return void res.writeHead(200).end(metricsBody);
      // each scrape: 2,000 requests more, split as the fake deployment splits them
      const st = JSON.parse(readFileSync(stateFile, 'utf8')) as FakeState;
      for (const v of st.deployment ?? []) {
        const n = Math.round((2000 * v.percentage) / 100);
        const errors = v.version_id === st.uploaded ? Math.round(n * newErrorRate) : 0;
        const add = (status: number, k: number) => {
          if (k === 0) return;
          const key = `tt_http_requests_total{route="/v1/streams/:streamId/events",method="POST",status="${status}",version="${v.version_id}"}`;
          counters.set(key, (counters.get(key) ?? 0) + k);
        };
        add(201, n - errors);
        add(503, errors);
      }
      const lines = ['# TYPE tt_http_requests_total counter', ...[...counters].map(([k, n]) => `${k} ${n}`)];
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(lines.join('\n') + '\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function rollout(initial: Partial<FakeState>, env: Record<string, string> = {}, command = ['deploy']) {
    stateFile = path.join(dir, `state-${Math.random().toString(36).slice(2)}.json`);
    const state: FakeState = { deployment: [{ version_id: OLD, percentage: 100 }], messages: { [OLD]: 'deploy [git:abcdef0]' }, calls: [], ...initial };
    writeFileSync(stateFile, JSON.stringify(state));
    counters = new Map();
    overrides = [];
    const childEnv: Record<string, string | undefined> = {
      ...process.env,
      ROLLOUT_WRANGLER: path.join(dir, 'wrangler.mjs'),
      FAKE_WRANGLER_STATE: stateFile,
      ROLLOUT_STATE_FILE: path.join(dir, 'rollout-state.json'),
      GIT_SHA: 'feedface00000000000000000000000000000000',
      METRICS_URL: `${base}/metrics`,
      METRICS_TOKEN: 'metrics-secret',
      HEALTH_URL: `${base}/health/ready`,
      ROLLOUT_STEP_S: '0',
      ROLLOUT_SETTLE_S: '0',
      ROLLOUT_RETRY_S: '0',
      GITHUB_ACTIONS: undefined,
      GITHUB_STEP_SUMMARY: undefined,
      ...env,
    };
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'rollout.ts'), ...command, '--env', 'staging'], { cwd: ROOT, env: childEnv });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)));
    return { code, output, state: JSON.parse(readFileSync(stateFile, 'utf8')) as FakeState };
  }

  it('moves a healthy version through 0 (smoke, by version override), 10, 50 and 100 %, then deploys the triggers', async () => {
    newErrorRate = 0.001;
    metricsBody = null;
    healthStatus = 200;
    const { code, output, state } = await rollout({});
    expect(code, output).toBe(0);
    const id = state.uploaded!;
    expect(state.calls).toEqual([
      'deployments status --json',
      `versions view ${OLD} --json`,
      'versions upload --message upload [git:feedface00000000000000000000000000000000]',
      'deployments status --json',
      `versions deploy ${id}@0% ${OLD}@100% --message rollout 0% [git:feedface00000000000000000000000000000000] -y`,
      'deployments status --json',
      `versions deploy ${id}@10% ${OLD}@90% --message rollout 10% [git:feedface00000000000000000000000000000000] -y`,
      'deployments status --json',
      `versions deploy ${id}@50% ${OLD}@50% --message rollout 50% [git:feedface00000000000000000000000000000000] -y`,
      'deployments status --json',
      `versions deploy ${id}@100% --message rollout 100% [git:feedface00000000000000000000000000000000] -y`,
      'triggers deploy',
    ]);
    expect(state.deployment).toEqual([{ version_id: id, percentage: 100 }]);
    expect(overrides[0]).toBe(`tracktrace-staging="${id}"`);
    expect(output).toMatch(/step 10 %: proceed/);
  }, 60_000);

  it('rolls back to the old version and fails when the new one answers 5xx above the ceiling', async () => {
    newErrorRate = 0.2;
    metricsBody = null;
    healthStatus = 200;
    const { code, output, state } = await rollout({});
    expect(code).toBe(1);
    expect(state.deployment).toEqual([{ version_id: OLD, percentage: 100 }]);
    expect(state.calls.at(-1)).toMatch(new RegExp(`^rollback ${OLD} --message auto rollback`));
    expect(state.calls).not.toContain('triggers deploy');
    expect(state.calls.some((c) => c.includes('@50%'))).toBe(false);
    expect(output).toMatch(/at 10 %: new version: \d+ 5xx of 200 \(20\.00 %\), above the 2\.00 % ceiling/);
  }, 60_000);

  it('fails closed when /metrics cannot be read: the parse error is reported and the old version put back', async () => {
    newErrorRate = 0;
    metricsBody = '<html>502 Bad Gateway</html>';
    healthStatus = 200;
    const { code, output, state } = await rollout({});
    expect(code).toBe(1);
    expect(output).toMatch(/metrics line 1: no metric name/);
    expect(state.deployment).toEqual([{ version_id: OLD, percentage: 100 }]);
  }, 60_000);

  it('proceeds on thin traffic with a warning by default, and refuses it with ROLLOUT_LOW_TRAFFIC=fail', async () => {
    newErrorRate = 0;
    metricsBody = null;
    healthStatus = 200;
    const thin = { ROLLOUT_MIN_REQUESTS: '100000', ROLLOUT_STEPS: '50,100', ROLLOUT_MAX_WINDOWS: '1' };
    const proceed = await rollout({}, thin);
    expect(proceed.code, proceed.output).toBe(0);
    expect(proceed.output).toMatch(/too few to judge; proceeding \(ROLLOUT_LOW_TRAFFIC=proceed\)/);
    const fail = await rollout({}, { ...thin, ROLLOUT_LOW_TRAFFIC: 'fail' });
    expect(fail.code).toBe(1);
    expect(fail.state.deployment).toEqual([{ version_id: OLD, percentage: 100 }]);
  }, 60_000);

  it('does not shift traffic to a version that fails its smoke check', async () => {
    newErrorRate = 0;
    metricsBody = null;
    healthStatus = 503;
    const { code, output, state } = await rollout({});
    expect(code).toBe(1);
    expect(output).toMatch(/smoke check of version .* at 0 % failed/);
    expect(state.calls.some((c) => c.includes('@10%'))).toBe(false);
    expect(state.deployment).toEqual([{ version_id: OLD, percentage: 100 }]);
  }, 60_000);

  it('uses a plain wrangler deploy for the first deploy and when Cloudflare refuses the upload for Durable Object changes', async () => {
    newErrorRate = 0;
    metricsBody = null;
    healthStatus = 200;
    const first = await rollout({ deployment: null });
    expect(first.code, first.output).toBe(0);
    expect(first.state.calls).toEqual(['deployments status --json', 'deploy --message deploy [git:feedface00000000000000000000000000000000]']);
    expect(first.output).toMatch(/has no deployment yet/);
    const migrating = await rollout({ rejectUpload: true });
    expect(migrating.code, migrating.output).toBe(0);
    expect(migrating.state.calls.at(-1)).toBe('deploy --message deploy [git:feedface00000000000000000000000000000000]');
    expect(migrating.output).toMatch(/10211: it changes Durable Object classes/);
  }, 60_000);

  // the commit before the one that added the last Durable Object migration tag (v4) to wrangler.toml
  const beforeV4 = spawnSync('git', ['log', '--format=%H', '-S', 'tag = "v4"', '--', 'wrangler.toml'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim().split('\n').at(-1);
  const parentOfV4 = beforeV4 ? spawnSync('git', ['rev-parse', `${beforeV4}^`], { cwd: ROOT, encoding: 'utf8' }).stdout.trim() : '';

  it.skipIf(!parentOfV4)('sees a Durable Object migration added since the deployed commit and deploys it with a plain wrangler deploy (needs the git history)', async () => {
    const { code, output, state } = await rollout({ messages: { [OLD]: `deploy [git:${parentOfV4}]` } });
    expect(code, output).toBe(0);
    expect(output).toMatch(/adds Durable Object migration\(s\) [^\n]*\bv4\b[^\n]* since/);
    expect(state.calls).toEqual(['deployments status --json', `versions view ${OLD} --json`, 'deploy --message deploy [git:feedface00000000000000000000000000000000]']);
  }, 60_000);

  it('abort (after a cancelled run) puts the old version back if the new one still shares traffic', async () => {
    writeFileSync(path.join(dir, 'rollout-state.json'), JSON.stringify({ env: 'staging', oldVersion: OLD, newVersion: NEW, sha: 'feedface' }));
    const split = await rollout({ deployment: [{ version_id: NEW, percentage: 50 }, { version_id: OLD, percentage: 50 }] }, {}, ['abort']);
    expect(split.code, split.output).toBe(0);
    expect(split.state.deployment).toEqual([{ version_id: OLD, percentage: 100 }]);
    // the state file is gone: a second abort has nothing to do
    const again = await rollout({ deployment: [{ version_id: NEW, percentage: 50 }, { version_id: OLD, percentage: 50 }] }, {}, ['abort']);
    expect(again.output).toMatch(/no rollout in progress/);
    expect(again.state.calls).toEqual([]);
  }, 60_000);

  it('refuses to start from a split deployment (an earlier rollout did not finish)', async () => {
    const { code, output, state } = await rollout({ deployment: [{ version_id: NEW, percentage: 10 }, { version_id: OLD, percentage: 90 }] });
    expect(code).toBe(2);
    expect(output).toMatch(/the current deployment is split/);
    expect(state.calls).toEqual(['deployments status --json']);
  }, 60_000);
});
