// GET /v1/subscriptions/ws and /v1/subscriptions/sse: live changes of the read side, from the tenant's
// SubscriptionHub. Mounted before the /v1/* authentication middleware because a browser's WebSocket
// cannot send an Authorization header: its token may come in the first message instead (never in the
// URL). Every other request goes through the very same `authenticate`.
import { Hono, type MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { authenticate, requireScope } from '../http/auth';
import { ApiError } from '../http/problem';
import { validate, validationError } from '../http/validate';
import { sseQuerySchema, subscribeQuerySchema } from './filters';
import type { SubscribeSpec } from './hub';

export const subscriptionRoutes = new Hono<AppEnv>();

const hub = (env: Env, tenantId: string) => env.SUBSCRIPTION_HUB.get(env.SUBSCRIPTION_HUB.idFromName(tenantId));
const isUpgrade = (req: Request) => req.headers.get('upgrade')?.toLowerCase() === 'websocket';

/** The token from the header, unless this is a WebSocket upgrade without one (first-message auth). */
const headerAuth: MiddlewareHandler<AppEnv> = (c, next) =>
  c.req.header('authorization') === undefined && isUpgrade(c.req.raw) ? next() : authenticate(c, next);
const readScope: MiddlewareHandler<AppEnv> = (c, next) => (c.get('principal') ? requireScope('tracking:read')(c, next) : next());

async function forward(c: Parameters<MiddlewareHandler<AppEnv>>[0], mode: 'ws' | 'sse', cursor: number | null): Promise<Response> {
  const { cursor: _c, tenant, ...filters } = c.req.valid('query' as never) as { cursor?: number; tenant?: string } & SubscribeSpec['filters'];
  const p = c.get('principal');
  const tenantId = p?.tenantId ?? tenant;
  if (!tenantId) {
    throw validationError('query', [{ path: ['tenant'], message: 'without an Authorization header, name the tenant (the token then comes in the first message)' }]);
  }
  const exp = p ? c.get('tokenExp') : 0;
  const spec: SubscribeSpec = {
    mode, tenantId, filters, cursor, requestId: c.get('requestId'),
    principal: p ? { subject: p.subject, carriers: p.carriers, exp } : null,
  };
  const headers: Record<string, string> = { 'x-subscription': JSON.stringify(spec) };
  if (mode === 'ws') headers.upgrade = 'websocket';
  const res = await hub(c.env, tenantId).fetch('https://hub/subscribe', { headers });
  // a fresh Response: the hub's headers are immutable, and middlewares add theirs (x-request-id)
  if (res.webSocket) return new Response(null, { status: 101, webSocket: res.webSocket, headers: { 'x-request-id': spec.requestId } });
  const out = new Response(res.body, { status: res.status, headers: res.headers });
  out.headers.set('x-request-id', spec.requestId);
  return out;
}

subscriptionRoutes.get('/v1/subscriptions/ws', headerAuth, readScope, validate('query', subscribeQuerySchema), async (c) => {
  if (!isUpgrade(c.req.raw)) {
    throw new ApiError(426, 'upgrade_required', 'this is a WebSocket endpoint: send Upgrade: websocket (or use /v1/subscriptions/sse)', {}, { upgrade: 'websocket' });
  }
  return forward(c, 'ws', c.req.valid('query').cursor ?? null);
});

subscriptionRoutes.get('/v1/subscriptions/sse', authenticate, requireScope('tracking:read'), validate('query', sseQuerySchema), async (c) => {
  const last = c.req.header('last-event-id');
  if (last !== undefined && !/^\d{1,15}$/.test(last)) throw new ApiError(400, 'invalid_header', 'Last-Event-ID is the id of the last event received (digits)');
  return forward(c, 'sse', last !== undefined ? Number(last) : (c.req.valid('query').cursor ?? null));
});
