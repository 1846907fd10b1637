// One middleware for what operators see of a request: its trace context (W3C traceparent in, a
// traceresponse out), its metrics (by route pattern, never by raw path) and one JSON log line.
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { AppEnv } from '../env';
import { flushSoon, inc, observe as observeMetric } from '../metrics/registry';
import { log, type Level } from '../ops/log';
import { recordSpan } from '../ops/otlp';
import { startTrace, traceparentOf } from '../ops/trace';
import type { Principal } from './auth';

/** The pattern of the route the request was for ('/v1/streams/:streamId'), even when a middleware refused it, or 'unmatched'. */
function routeOf(c: Context<AppEnv>): string {
  return matchedRoutes(c).findLast((r) => r.method !== 'ALL')?.path ?? 'unmatched';
}

const isAppend = (method: string, route: string) => method === 'POST' && (route === '/v1/streams/:streamId/events' || route === '/v1/events:batch');
const isCommand = (method: string, route: string) => method === 'POST' && route.startsWith('/v1/') && route.includes('/:entityId/');

/** An append answers 201 when it wrote and 200 when all its events were stored already; a command says so in a header. */
function outcome(status: number, replayed: boolean): string {
  if (status === 200 || status === 201) return replayed ? 'replayed' : 'committed';
  if (status === 409) return 'conflict';
  return status >= 500 ? 'failed' : 'rejected';
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const QUIET = /^\/(health\/|metrics$)/; // polled by monitors: their lines are debug

export function observe(): MiddlewareHandler<AppEnv> {
  return async function observe(c, next) {
    const startMs = Date.now();
    const trace = startTrace(c.env, c.req.header('traceparent'), c.req.header('tracestate'));
    c.set('trace', trace);
    await next();
    const status = c.res.status;
    const method = METHODS.has(c.req.method) ? c.req.method : 'OTHER'; // a label, so never what a client makes up
    const route = routeOf(c);
    const seconds = (Date.now() - startMs) / 1000;
    const tenant = (c.get('principal') as Principal | undefined)?.tenantId;
    if (status !== 101) c.res.headers.set('traceresponse', traceparentOf(trace)); // upgraded responses are immutable
    record(c, { status, method, route, seconds, tenant });
    const level: Level = status >= 500 ? 'error' : QUIET.test(c.req.path) ? 'debug' : 'info';
    log(c.env, level, 'request', {
      requestId: c.get('requestId'), tenant, method, route, path: c.req.path.slice(0, 200), status,
      durationMs: Math.round(seconds * 1000), traceId: trace.traceId, spanId: trace.spanId, code: c.get('problemCode'),
    });
    recordSpan(c.env, trace.sampled, {
      ctx: trace, name: `${method} ${route}`, kind: 2, startMs, endMs: Date.now(), error: status >= 500,
      attrs: { 'http.request.method': method, 'http.route': route, 'http.response.status_code': status, ...(tenant ? { 'tenant.id': tenant } : {}) },
    }, (p) => c.executionCtx.waitUntil(p));
    flushSoon(c.env, (p) => c.executionCtx.waitUntil(p));
  };
}

function record(c: Context<AppEnv>, r: { status: number; method: string; route: string; seconds: number; tenant: string | undefined }) {
  const env = c.env;
  const version = env.CF_VERSION_METADATA?.id || 'local';
  inc(env, 'tt_http_requests_total', { route: r.route, method: r.method, status: r.status, version });
  observeMetric(env, 'tt_http_request_duration_seconds', { route: r.route }, r.seconds);
  const tenant = r.tenant ?? 'unknown';
  if (isAppend(r.method, r.route)) {
    observeMetric(env, 'tt_append_duration_seconds', undefined, r.seconds);
    // a batch answers 200 with a status per item
    for (const s of c.get('itemStatuses') ?? [r.status]) {
      const o = outcome(s, s === 200);
      inc(env, 'tt_appends_total', { tenant, outcome: o });
      if (o === 'conflict') inc(env, 'tt_append_conflicts_total', { tenant });
      if (o === 'replayed') inc(env, 'tt_idempotent_replays_total', { tenant, kind: 'append' });
    }
  } else if (isCommand(r.method, r.route)) {
    const o = outcome(r.status, c.res.headers.get('idempotent-replayed') === 'true');
    inc(env, 'tt_commands_total', { tenant, command: r.route, outcome: o === 'conflict' ? 'refused' : o });
    observeMetric(env, 'tt_command_duration_seconds', { command: r.route }, r.seconds);
    if (o === 'replayed') inc(env, 'tt_idempotent_replays_total', { tenant, kind: 'command' });
  }
}
