// This isolate's share of the metrics: increments are map updates on the hot path, and every
// METRICS_FLUSH_S (default 10) the isolate sends what it counted since the last flush to the
// aggregator object in one RPC, so /metrics sums the whole deployment. An isolate evicted before
// its flush loses at most that window's counts. TELEMETRY=off turns recording off.
import { METRICS, seriesKey, type Labels, type MetricName } from './catalog';

export type Histogram = { buckets: number[]; sum: number; count: number };
export type Snapshot = { counters: [string, number][]; histograms: [string, Histogram][]; gauges: [string, number][] };

let counters = new Map<string, number>();
let histograms = new Map<string, Histogram>();
let gauges = new Map<string, number>();
let isolate: string | null = null; // random values are not allowed at global scope
let armedAt = 0; // when the pending flush was armed (0: none)
let seq = 0;
/** Snapshots the aggregator has not acknowledged, oldest first; resent as they are, so it can drop repeats by `seq`. */
let unsent: { seq: number; snap: Snapshot }[] = [];
const MAX_UNSENT = 30; // 5 minutes at the default flush period

const on = (env: Env) => env.TELEMETRY !== 'off';

export function inc(env: Env, name: MetricName, labels?: Labels, by = 1): void {
  if (!on(env)) return;
  const k = seriesKey(name, labels);
  counters.set(k, (counters.get(k) ?? 0) + by);
}

export function observe(env: Env, name: MetricName, labels: Labels | undefined, value: number): void {
  if (!on(env)) return;
  const bounds = (METRICS[name] as { buckets?: number[] }).buckets ?? [];
  const k = seriesKey(name, labels);
  let h = histograms.get(k);
  if (!h) histograms.set(k, (h = { buckets: new Array(bounds.length + 1).fill(0), sum: 0, count: 0 }));
  let i = 0;
  while (i < bounds.length && value > bounds[i]!) i++;
  h.buckets[i]!++;
  h.sum += value;
  h.count++;
}

/** A value that is set, not summed (the latest report wins across isolates). */
export function setGauge(env: Env, name: MetricName, labels: Labels | undefined, value: number): void {
  if (!on(env)) return;
  gauges.set(seriesKey(name, labels), value);
}

/**
 * Arms this isolate's next flush, unless one is armed. Called where work ends: a Worker request or
 * queue batch passes `waitUntil` to stay alive until the flush has run; objects stay alive by
 * themselves. The flush belongs to the context that armed it alone: a Worker may not wait on I/O
 * another request started, so only data (the maps) is shared between requests.
 */
export function flushSoon(env: Env, waitUntil?: (p: Promise<unknown>) => void): void {
  const ms = Math.max(0, Number(env.METRICS_FLUSH_S ?? 10)) * 1000;
  // a flush whose context was cancelled before its timer fired is armed again
  if (!on(env) || (armedAt && Date.now() - armedAt < 2 * ms + 5_000)) return;
  armedAt = Date.now();
  const run = new Promise((r) => setTimeout(r, ms)).then(() => {
    armedAt = 0;
    return flush(env);
  });
  waitUntil?.(run);
}

function take(): Snapshot {
  const s: Snapshot = { counters: [...counters], histograms: [...histograms], gauges: [...gauges] };
  counters = new Map();
  histograms = new Map();
  gauges = new Map();
  return s;
}

export const aggregator = (env: Env) => env.METRICS.get(env.METRICS.idFromName('metrics'));

/**
 * Sends what was counted since the last flush, after any snapshot not acknowledged yet. A snapshot
 * whose answer was lost may have been applied: it is resent with the same `seq`, which the
 * aggregator applies once. Past MAX_UNSENT the oldest are dropped (the aggregator is down for long).
 */
export async function flush(env: Env): Promise<void> {
  isolate ??= crypto.randomUUID();
  if (counters.size || histograms.size || gauges.size) unsent.push({ seq: ++seq, snap: take() });
  if (unsent.length > MAX_UNSENT) unsent = unsent.slice(-MAX_UNSENT);
  while (unsent.length) {
    const { seq: n, snap } = unsent[0]!;
    try {
      await aggregator(env).ingest(isolate, n, snap);
    } catch {
      return; // unreachable or resetting: the next flush tries again
    }
    unsent.shift();
  }
}
