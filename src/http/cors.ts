// Browsers may call the API from the origins in CORS_ORIGINS (comma-separated; "*" for any).
// Preflights are answered here, before authentication: they carry no token. Tokens travel in the
// Authorization header, never in cookies, so credentials are never allowed, and "*" stays "*".
// Requests without an Origin (scanners, servers) get no CORS headers at all.
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { AppEnv } from '../env';

const REQUEST_HEADERS = ['authorization', 'content-type', 'idempotency-key', 'if-match', 'if-none-match', 'x-correlation-id', 'x-causation-id', 'x-source', 'x-request-id'];
const RESPONSE_HEADERS = ['etag', 'location', 'retry-after', 'allow', 'x-request-id', 'x-correlation-id', 'idempotency-key', 'idempotent-replayed'];

export function corsForOrigins(): MiddlewareHandler<AppEnv> {
  let configured: string | undefined;
  let handler: MiddlewareHandler<AppEnv> = async (_c, next) => next();
  return async function corsForOrigins(c, next) {
    if (!c.req.header('origin')) return next(); // not a browser's cross-origin call: no CORS headers
    const list = c.env.CORS_ORIGINS ?? '';
    if (list !== configured) {
      configured = list;
      const origins = new Set(list.split(',').map((o) => o.trim().replace(/\/+$/, '')).filter(Boolean));
      handler = origins.size === 0
        ? async (_c, next) => next()
        : cors({
            origin: origins.has('*') ? '*' : (origin) => (origins.has(origin) ? origin : null),
            allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
            allowHeaders: REQUEST_HEADERS,
            exposeHeaders: RESPONSE_HEADERS,
            maxAge: 600,
            credentials: false,
          });
    }
    return handler(c, next);
  };
}
