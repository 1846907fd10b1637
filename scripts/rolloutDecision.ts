// The gradual rollout's judgement, kept pure so it is tested without Cloudflare (test/rollout.node.test.ts):
// Prometheus text -> tt_http_requests_total per version over a window (the delta between two scrapes)
// -> proceed, roll back, or wait for more traffic. scripts/rollout.ts does the side effects.
//
// The parser is our own and small: only sample lines are needed, and the npm parsers found
// (parse-prometheus-text-format) are unmaintained and untyped. It follows the text exposition
// format (comments, `name{l="v",…} value [timestamp]`, escapes \\ \" \n in label values, +Inf/-Inf/NaN)
// and throws on anything else, with the line number: a scrape that cannot be read never passes as
// "no errors".

export const REQUESTS_METRIC = 'tt_http_requests_total';

export type Sample = { name: string; labels: Record<string, string>; value: number };

export class PrometheusParseError extends Error {
  constructor(
    readonly line: number,
    detail: string,
    text: string,
  ) {
    super(`metrics line ${line}: ${detail}: ${JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text)}`);
    this.name = 'PrometheusParseError';
  }
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function parseValue(s: string): number | null {
  if (s === '+Inf' || s === 'Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s) ? Number(s) : null;
}

/** Every sample of a Prometheus text exposition. Throws PrometheusParseError on a malformed line. */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fail = (detail: string): never => {
      throw new PrometheusParseError(i + 1, detail, raw);
    };
    const name = METRIC_NAME.exec(line)?.[0] ?? fail('no metric name');
    let pos = name.length;
    const labels: Record<string, string> = {};
    if (line[pos] === '{') {
      pos++;
      for (;;) {
        while (line[pos] === ' ') pos++;
        if (line[pos] === '}') break;
        const label = LABEL_NAME.exec(line.slice(pos))?.[0] ?? fail('bad label name');
        pos += label.length;
        while (line[pos] === ' ') pos++;
        if (line[pos] !== '=') fail(`expected = after label ${label}`);
        pos++;
        while (line[pos] === ' ') pos++;
        if (line[pos] !== '"') fail(`label ${label}: value not quoted`);
        pos++;
        let value = '';
        for (;;) {
          const c = line[pos];
          if (c === undefined) fail(`label ${label}: unterminated value`);
          pos++;
          if (c === '"') break;
          if (c === '\\') {
            const e = line[pos++];
            if (e === 'n') value += '\n';
            else if (e === '\\' || e === '"') value += e;
            else fail(`label ${label}: bad escape \\${e ?? ''}`);
          } else value += c;
        }
        if (label in labels) fail(`label ${label} repeated`);
        labels[label] = value;
        while (line[pos] === ' ') pos++;
        if (line[pos] === ',') pos++;
        else if (line[pos] !== '}') fail('expected , or } in labels');
      }
      pos++; // the '}'
    }
    const rest = line.slice(pos);
    if (rest !== '' && !/^\s/.test(rest)) fail('expected a space before the value');
    const fields = rest.trim().split(/\s+/);
    if (fields.length < 1 || fields.length > 2 || fields[0] === '') fail('expected a value and at most a timestamp');
    const value = parseValue(fields[0]!) ?? fail(`bad value ${fields[0]}`);
    if (fields.length === 2 && !/^-?\d+$/.test(fields[1]!)) fail(`bad timestamp ${fields[1]}`);
    samples.push({ name, labels, value });
  }
  return samples;
}

/** What one version did between two scrapes: requests and 5xx answers. */
export type VersionCounts = { total: number; errors: number };
export type Window = {
  versions: Map<string, VersionCounts>;
  /** series whose counter went down between the scrapes (the aggregator restarted and lost its last unsaved seconds, or lost an isolate's share) */
  resets: number;
  /** whether the metric was in the later scrape at all */
  present: boolean;
  /** samples of the metric without a version label (not attributable; counted nowhere) */
  unlabeled: number;
};

const MONITOR_ROUTES = /^\/(health\/|metrics$)/;

const seriesKey = (s: Sample) =>
  `${s.name}{${Object.keys(s.labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(s.labels[k])}`)
    .join(',')}}`;

/**
 * tt_http_requests_total per version between two scrapes: the difference per series; a series new in
 * the later scrape started from zero after the first one (its whole value counts).
 * A series that went down is counted as 0 and reported in `resets`. Not Prometheus' increase(), which
 * would count its whole later value: our counters are sums kept by one aggregator object that persists
 * every 10 s (src/metrics/aggregator.ts), so a drop is a restart that lost a few seconds, not a reset
 * to zero, and the whole value would add the series' entire history to the window. The caller measures
 * the window again from the later scrape when it can (scripts/rollout.ts).
 */
export function windowBetween(before: Sample[], after: Sample[], metric = REQUESTS_METRIC): Window {
  const earlier = new Map<string, number>();
  for (const s of before) if (s.name === metric) earlier.set(seriesKey(s), s.value);
  const versions = new Map<string, VersionCounts>();
  let resets = 0;
  let unlabeled = 0;
  let present = false;
  for (const s of after) {
    if (s.name !== metric) continue;
    present = true;
    if (!Number.isFinite(s.value) || s.value < 0) throw new Error(`${seriesKey(s)} has the value ${s.value}, not a counter's`);
    // monitors' polls are not traffic to judge: /health/ready is 503 when the read side lags, whatever the version
    if (MONITOR_ROUTES.test(s.labels.route ?? '')) continue;
    const version = s.labels.version;
    if (!version) {
      unlabeled++;
      continue;
    }
    const prev = earlier.get(seriesKey(s));
    let delta = s.value;
    if (prev !== undefined) {
      delta = Math.max(0, s.value - prev);
      if (s.value < prev) resets++;
    }
    const counts = versions.get(version) ?? { total: 0, errors: 0 };
    counts.total += delta;
    const status = Number(s.labels.status);
    if (status >= 500 && status <= 599) counts.errors += delta;
    versions.set(version, counts);
  }
  return { versions, resets, present, unlabeled };
}

export type Thresholds = {
  /** absolute ceiling: the new version's 5xx share above this rolls back, whatever the old one does */
  maxErrorRate: number;
  /** the new version's 5xx share may exceed the old one's by at most this much (0.005 = half a point) */
  maxIncrease: number;
  /** fewer requests than this to the new version in a window: too few to judge a rate */
  minRequests: number;
  /** a rollback for a relative rise or on thin traffic needs at least this many 5xx (one stray error is noise) */
  minErrors: number;
};

export const DEFAULT_THRESHOLDS: Thresholds = { maxErrorRate: 0.02, maxIncrease: 0.005, minRequests: 100, minErrors: 5 };

export type Verdict = {
  action: 'proceed' | 'rollback' | 'wait';
  reason: string;
  current: VersionCounts;
  previous: VersionCounts | null;
};

const rate = (c: VersionCounts) => (c.total > 0 ? c.errors / c.total : 0);
const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
export const describeCounts = (c: VersionCounts) => `${c.errors} 5xx of ${c.total} (${pct(rate(c))})`;

/**
 * The new version against the absolute ceiling and against the old version over the same window.
 * `wait`: too few requests to judge a rate (and not enough errors to condemn it anyway); the caller
 * waits longer, then applies its low-traffic policy.
 */
export function decide(w: Window, newVersion: string, oldVersion: string | null, t: Thresholds = DEFAULT_THRESHOLDS): Verdict {
  if (!w.present) {
    return { action: 'rollback', reason: `${REQUESTS_METRIC} is not in the scrape: the error rate cannot be measured`, current: { total: 0, errors: 0 }, previous: null };
  }
  const current = w.versions.get(newVersion) ?? { total: 0, errors: 0 };
  const prior = oldVersion ? (w.versions.get(oldVersion) ?? { total: 0, errors: 0 }) : null;
  const previous = prior && prior.total > 0 ? prior : null;
  const r = rate(current);
  if (current.total < t.minRequests) {
    if (current.errors >= t.minErrors && r > t.maxErrorRate) {
      return { action: 'rollback', reason: `new version: ${describeCounts(current)} on thin traffic, above the ${pct(t.maxErrorRate)} ceiling`, current, previous };
    }
    return { action: 'wait', reason: `new version served ${current.total} requests, fewer than ${t.minRequests}: too few to judge`, current, previous };
  }
  if (r > t.maxErrorRate) {
    return { action: 'rollback', reason: `new version: ${describeCounts(current)}, above the ${pct(t.maxErrorRate)} ceiling`, current, previous };
  }
  if (previous && previous.total >= t.minRequests && current.errors >= t.minErrors && r > rate(previous) + t.maxIncrease) {
    return {
      action: 'rollback',
      reason: `new version: ${describeCounts(current)} against the old version's ${describeCounts(previous)}: a rise of more than ${pct(t.maxIncrease)}`,
      current,
      previous,
    };
  }
  return { action: 'proceed', reason: `new version: ${describeCounts(current)}${previous ? `; old version: ${describeCounts(previous)}` : ''}`, current, previous };
}

/** Thresholds from the environment (ROLLOUT_MAX_ERROR_RATE, …), defaults for the unset ones; throws on nonsense. */
export function thresholdsFromEnv(env: Record<string, string | undefined>): Thresholds {
  const num = (key: string, fallback: number, ok: (n: number) => boolean) => {
    const raw = env[key];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || !ok(n)) throw new Error(`${key}=${raw} is not a valid value`);
    return n;
  };
  const share = (n: number) => n >= 0 && n <= 1;
  const count = (n: number) => Number.isInteger(n) && n >= 0;
  return {
    maxErrorRate: num('ROLLOUT_MAX_ERROR_RATE', DEFAULT_THRESHOLDS.maxErrorRate, share),
    maxIncrease: num('ROLLOUT_MAX_INCREASE', DEFAULT_THRESHOLDS.maxIncrease, share),
    minRequests: num('ROLLOUT_MIN_REQUESTS', DEFAULT_THRESHOLDS.minRequests, count),
    minErrors: num('ROLLOUT_MIN_ERRORS', DEFAULT_THRESHOLDS.minErrors, count),
  };
}

/** "10,50,100" -> [10, 50, 100]: increasing percentages ending at 100. */
export function parseSteps(raw: string | undefined): number[] {
  const steps = (raw && raw.trim() !== '' ? raw : '10,50,100').split(',').map((s) => Number(s.trim()));
  const ok = steps.every((p, i) => Number.isFinite(p) && p > 0 && p <= 100 && (i === 0 || p > steps[i - 1]!)) && steps.at(-1) === 100;
  if (!ok) throw new Error(`ROLLOUT_STEPS=${raw}: expected increasing percentages ending at 100, e.g. 10,50,100`);
  return steps;
}

/** The Durable Object migration tags of a raw wrangler config for an environment (migrations are inherited by [env.X]). */
export function durableObjectMigrationTags(raw: { migrations?: { tag: string }[]; env?: Record<string, { migrations?: { tag: string }[] } | undefined> }, env?: string): string[] {
  const list = (env ? raw.env?.[env]?.migrations : undefined) ?? raw.migrations ?? [];
  return list.map((m) => m.tag);
}

/** The tags in the config being deployed that the deployed commit's config did not have. */
export const newMigrationTags = (deploying: string[], deployed: string[]) => deploying.filter((t) => !deployed.includes(t));

/** The commit a version came from, from the `[git:<sha>]` that scripts/rollout.ts writes into every message. */
export function commitOfMessage(message: string | undefined): string | null {
  return /\[git:([0-9a-f]{7,40})\]/.exec(message ?? '')?.[1] ?? null;
}

/** How much an unlabelled counter grew between two scrapes (0 when absent or when it went down). */
export function counterDelta(before: Sample[], after: Sample[], name: string): number {
  const sum = (xs: Sample[]) => xs.filter((s) => s.name === name).reduce((n, s) => n + s.value, 0);
  return Math.max(0, sum(after) - sum(before));
}
