// W3C Trace Context: a site's `traceparent` (or a new trace) follows a scan from the request through
// the stream object, the Postgres commit and the queue message to the projection and the live push.
// Trace ids always travel (the log lines carry them); spans are recorded only for sampled traces
// and only when OTEL_EXPORTER_OTLP_ENDPOINT is set (src/ops/otlp.ts exports them).

export type TraceContext = {
  traceId: string;
  /** This hop's span id: what a child names as its parent. */
  spanId: string;
  sampled: boolean;
  /** The caller's span (from its traceparent), if any. */
  parentId?: string;
  /** tracestate, passed on untouched (≤ 512 chars). */
  state?: string;
};

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZEROS = /^0+$/;

/** A valid traceparent's fields, or null (then the request starts a trace of its own). */
export function parseTraceparent(header: string | null | undefined): { traceId: string; parentId: string; sampled: boolean } | null {
  const m = header ? TRACEPARENT.exec(header.trim()) : null;
  if (!m) return null;
  const [, version, traceId, parentId, flags, rest] = m as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return null;
  if (ZEROS.test(traceId) || ZEROS.test(parentId)) return null;
  return { traceId, parentId, sampled: (parseInt(flags, 16) & 1) === 1 };
}

export const traceparentOf = (t: Pick<TraceContext, 'traceId' | 'spanId' | 'sampled'>) => `00-${t.traceId}-${t.spanId}-${t.sampled ? '01' : '00'}`;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Random ids on every request: a table lookup per byte, not a number formatted per byte. */
function hex(bytes: number): string {
  const a = crypto.getRandomValues(new Uint8Array(bytes));
  let s = '';
  for (let i = 0; i < a.length; i++) s += HEX[a[i]!];
  return s;
}

export const newSpanId = () => hex(8);

/** The share of new traces sampled (OTEL_TRACES_SAMPLER_ARG, 0–1; default 0.1). */
function ratio(env: Env): number {
  const r = Number(env.OTEL_TRACES_SAMPLER_ARG ?? 0.1);
  return Number.isFinite(r) ? Math.min(1, Math.max(0, r)) : 0.1;
}

/** The request's context: the caller's trace and sampling decision when its traceparent is valid (parent-based), else a new one. */
export function startTrace(env: Env, traceparent: string | null | undefined, tracestate: string | null | undefined): TraceContext {
  const parent = parseTraceparent(traceparent);
  if (!parent) return { traceId: hex(16), spanId: newSpanId(), sampled: env.TELEMETRY !== 'off' && Math.random() < ratio(env) };
  const state = tracestate && tracestate.length <= 512 ? tracestate : undefined;
  return { traceId: parent.traceId, spanId: newSpanId(), sampled: parent.sampled, parentId: parent.parentId, state };
}

/**
 * A span of a later hop (an object, a consumer, a hub) under a propagated traceparent, or null when
 * none came or its trace is not sampled: only sampled traces have spans, so no id is made for the rest.
 */
export function sampledChild(traceparent: string | null | undefined): TraceContext | null {
  const p = parseTraceparent(traceparent);
  return p?.sampled ? { traceId: p.traceId, spanId: newSpanId(), sampled: true, parentId: p.parentId } : null;
}

/** The trace ids of propagated traceparents, deduplicated (for a log line). */
export const traceIds = (traceparents: Iterable<string | undefined>) =>
  [...new Set([...traceparents].map((t) => parseTraceparent(t)?.traceId).filter((t): t is string => !!t))];
