// Spans of sampled traces, exported as OTLP/HTTP JSON to OTEL_EXPORTER_OTLP_ENDPOINT (base URL;
// /v1/traces is appended as the OpenTelemetry spec says), with OTEL_EXPORTER_OTLP_HEADERS
// ("k=v,k2=v2", e.g. an API key). Each isolate buffers spans and posts them at most once a second.
// Hand-written rather than the OpenTelemetry JS SDK: the SDK's exporters and context managers
// assume Node or a browser, and this is ~80 lines with no cost when nothing is sampled.
import type { TraceContext } from './trace';

type Attr = string | number | boolean;
export type Span = {
  ctx: Pick<TraceContext, 'traceId' | 'spanId' | 'parentId' | 'state'>;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: 1 | 2 | 3 | 4 | 5;
  startMs: number;
  endMs: number;
  attrs?: Record<string, Attr>;
  error?: boolean;
};

const MAX_BUFFERED = 2_000;
const EXPORT_EVERY_MS = 1_000;
let buffer: Span[] = [];
let armedAt = 0; // when the pending export was armed (0: none)

export const exporting = (env: Env) => !!env.OTEL_EXPORTER_OTLP_ENDPOINT && env.TELEMETRY !== 'off';

/**
 * Keeps a span of a sampled trace for export. `waitUntil` keeps the caller's context alive until the
 * next export has run (a Worker request's or a queue batch's; objects stay alive by themselves).
 */
export function recordSpan(env: Env, sampled: boolean, span: Span, waitUntil?: (p: Promise<unknown>) => void): void {
  if (!sampled || !exporting(env)) return;
  buffer.push(span);
  if (buffer.length > MAX_BUFFERED) buffer = buffer.slice(-MAX_BUFFERED); // an endpoint that is down costs memory, never requests
  // the context that armed the export waits for it (a Worker may not wait on another request's I/O);
  // one cancelled before its timer fired is armed again
  if (armedAt && Date.now() - armedAt < 2 * EXPORT_EVERY_MS + 5_000) return;
  armedAt = Date.now();
  const run = new Promise((r) => setTimeout(r, EXPORT_EVERY_MS)).then(() => {
    armedAt = 0;
    return exportSpans(env);
  });
  waitUntil?.(run);
}

function headers(env: Env): Record<string, string> {
  const h: Record<string, string> = { 'content-type': 'application/json' };
  for (const pair of (env.OTEL_EXPORTER_OTLP_HEADERS ?? '').split(',')) {
    const i = pair.indexOf('=');
    if (i > 0) h[decodeURIComponent(pair.slice(0, i).trim())] = decodeURIComponent(pair.slice(i + 1).trim());
  }
  return h;
}

const value = (v: Attr) =>
  typeof v === 'string' ? { stringValue: v } : typeof v === 'boolean' ? { boolValue: v } : Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
const nanos = (ms: number) => `${BigInt(Math.round(ms)) * 1_000_000n}`;

/** The OTLP/JSON body for spans (ids as hex, times as nanosecond strings). */
export function otlpBody(serviceName: string, spans: Span[]) {
  return {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: serviceName } }] },
      scopeSpans: [{
        scope: { name: 'tracktrace' },
        spans: spans.map((s) => ({
          traceId: s.ctx.traceId,
          spanId: s.ctx.spanId,
          ...(s.ctx.parentId ? { parentSpanId: s.ctx.parentId } : {}),
          ...(s.ctx.state ? { traceState: s.ctx.state } : {}),
          name: s.name,
          kind: s.kind,
          startTimeUnixNano: nanos(s.startMs),
          endTimeUnixNano: nanos(Math.max(s.endMs, s.startMs)),
          attributes: Object.entries(s.attrs ?? {}).map(([key, v]) => ({ key, value: value(v) })),
          status: { code: s.error ? 2 : 1 },
        })),
      }],
    }],
  };
}

/** Posts what is buffered; a failed export keeps its spans for the next, within MAX_BUFFERED (tracing never slows or fails a scan). */
export async function exportSpans(env: Env): Promise<void> {
  if (!buffer.length || !exporting(env)) return;
  const spans = buffer;
  buffer = [];
  const keep = () => (buffer = [...spans, ...buffer].slice(-MAX_BUFFERED)); // sent with the next export
  const url = env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '') + '/v1/traces';
  try {
    const res = await fetch(url, { method: 'POST', headers: headers(env), body: JSON.stringify(otlpBody(env.OTEL_SERVICE_NAME || 'tracktrace', spans)) });
    await res.body?.cancel();
    if (res.status >= 500 || res.status === 429) keep(); // the collector asks for a retry
  } catch {
    keep(); // unreachable, or this context ended: the next export tries again (the buffer stays bounded)
  }
}
