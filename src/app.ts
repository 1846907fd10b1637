import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import type { AppEnv } from './env';
import { authenticate } from './http/auth';
import { corsForOrigins } from './http/cors';
import { observe } from './http/observe';
import { rateLimit } from './http/rateLimit';
import { inc } from './metrics/registry';
import { prometheusRoutes } from './metrics/route';
import { deadLetterRoutes } from './admin/deadLetters';
import { retentionAdminRoutes } from './admin/retention';
import { DbUnavailable } from './db/client';
import { projectionAdminRoutes } from './admin/projections';
import { ApiError, clip, problem } from './http/problem';
import { healthRoutes } from './ops/health';
import { errorText, log } from './ops/log';
import { openApiRoutes } from './ops/openapi';
import { projector } from './projections/consumer';
import { manifestRoutes } from './projections/manifest/routes';
import { metricsRoutes } from './projections/metrics/routes';
import { statusRoutes } from './projections/status/routes';
import { timelineRoutes } from './projections/timeline/routes';
import { commandRoutes } from './streams/commands';
import { streamRoutes } from './streams/routes';
import { subscriptionRoutes } from './subscriptions/routes';

export const app = new Hono<AppEnv>();

// First: every request is traced, counted and logged, whatever answers it.
app.use(observe());

// Once per isolate: make sure the projector's outbox sweep is armed (locally no cron fires).
let sweeping = false;
app.use(async (c, next) => {
  if (!sweeping) {
    sweeping = true;
    c.executionCtx.waitUntil(projector(c.env).ensureSweeping().catch(() => (sweeping = false)));
  }
  await next();
});
app.use(requestId({ limitLength: 128 }));
app.use(corsForOrigins()); // before auth: preflights carry no token
app.route('/', subscriptionRoutes); // live changes: before /v1/* auth, a browser's token may come in the first message
// after the token is known: per-subject and per-tenant budgets (429 rate_limited)
app.use('/v1/*', authenticate, rateLimit({ onLimited: (scope, env) => inc(env, 'tt_rate_limited_total', { scope }) }));
app.route('/', healthRoutes);
app.route('/', prometheusRoutes);
app.route('/', openApiRoutes);
// the write side: appends, stream reads, domain commands
app.route('/', streamRoutes);
app.route('/', commandRoutes);
// the read side: read models, queried in Postgres directly
app.route('/', statusRoutes);
app.route('/', timelineRoutes);
app.route('/', manifestRoutes);
app.route('/', metricsRoutes);
// operations: projection status and rebuilds, dead letters, retention policies
app.route('/', projectionAdminRoutes);
app.route('/', deadLetterRoutes);
app.route('/', retentionAdminRoutes);

// A path that exists under another method is a 405 with Allow, not a 404.
const patterns = () =>
  app.routes
    .filter((r) => r.method !== 'ALL')
    .map((r) => ({ method: r.method, re: new RegExp(`^${r.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\/:[^/]+/g, '/[^/]+')}$`) }));

app.notFound((c) => {
  const allowed = [...new Set(patterns().filter((p) => p.re.test(c.req.path)).map((p) => p.method))];
  if (allowed.length) {
    return problem(c, new ApiError(405, 'method_not_allowed', `${c.req.method} is not allowed here; use ${allowed.join(', ')}`, {}, { allow: allowed.join(', ') }));
  }
  return problem(c, new ApiError(404, 'not_found', `no route for ${c.req.method} ${clip(c.req.path, 100)}`));
});

app.onError((err, c) => {
  if (err instanceof ApiError) return problem(c, err);
  // a read route's query when Postgres is down, restarting or full: the client's retry will do
  if (err instanceof DbUnavailable) {
    return problem(c, new ApiError(503, 'database_unavailable', 'the database is unavailable; retry shortly', {}, { 'retry-after': '1' }));
  }
  if (err instanceof HTTPException) {
    return problem(c, new ApiError(err.status, err.status === 413 ? 'payload_too_large' : 'bad_request', err.message || 'bad request'));
  }
  log(c.env, 'error', 'unhandled error', { requestId: c.get('requestId'), traceId: c.get('trace')?.traceId, error: errorText(err) });
  return problem(c, new ApiError(500, 'internal_error', 'something went wrong on our side; the request id helps us find it'));
});
