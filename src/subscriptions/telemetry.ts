// What a hub tells operators: how many subscriptions it holds (/metrics) and, for the traces whose
// changes it pushed, a span and a debug line (src/ops/trace.ts).
import { flushSoon, setGauge } from '../metrics/registry';
import { log } from '../ops/log';
import { recordSpan } from '../ops/otlp';
import { sampledChild, traceIds } from '../ops/trace';

/** The latest count stands in /metrics until the hub reports again. */
export function reportSubscribers(env: Env, tenant: string, open: number) {
  setGauge(env, 'tt_live_subscriptions', { tenant }, open);
  flushSoon(env);
}

export function tracePush(env: Env, traces: string[], startMs: number, changes: number, subscribers: number) {
  if (!traces.length) return;
  log(env, 'debug', 'subscription push', { changes, subscribers, traceIds: traceIds(traces) });
  for (const t of new Set(traces)) {
    const ctx = sampledChild(t);
    if (ctx) recordSpan(env, true, { ctx, name: 'subscription push', kind: 4, startMs, endMs: Date.now(), attrs: { 'tt.changes': changes, 'tt.subscribers': subscribers } });
  }
}
