import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import type { AppEnv } from './env';
import { authenticate } from './http/auth';
import { ApiError, problem } from './http/problem';
import { healthRoutes } from './ops/health';
import { openApiRoutes } from './ops/openapi';
import { commandRoutes } from './streams/commands';
import { streamRoutes } from './streams/routes';

export const app = new Hono<AppEnv>();

app.use(requestId({ limitLength: 128 }));
app.use('/v1/*', authenticate);
app.route('/', healthRoutes);
app.route('/', openApiRoutes);
app.route('/', streamRoutes);
app.route('/', commandRoutes);

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
  return problem(c, new ApiError(404, 'not_found', `no route for ${c.req.method} ${c.req.path}`));
});

app.onError((err, c) => {
  if (err instanceof ApiError) return problem(c, err);
  if (err instanceof HTTPException) {
    return problem(c, new ApiError(err.status, err.status === 413 ? 'payload_too_large' : 'bad_request', err.message || 'bad request'));
  }
  console.error('unhandled', c.get('requestId'), err);
  return problem(c, new ApiError(500, 'internal_error', 'something went wrong on our side; the request id helps us find it'));
});
