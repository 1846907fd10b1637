// Per-tenant and per-token rate limits on the Workers rate-limiting bindings (wrangler.toml
// [[ratelimits]]): counters per Cloudflare location, no round trip to a Durable Object or Postgres.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { errorText, log } from '../ops/log';
import { ApiError } from './problem';

/**
 * The window of both bindings, in seconds: `simple.period` of TENANT_RATE_LIMIT and TOKEN_RATE_LIMIT
 * in wrangler.toml (10 or 60; test/rateLimit.int.test.ts fails when they differ). A refused client
 * waits at most one window, so Retry-After is the whole period whatever the counter's window
 * alignment.
 */
export const RATE_LIMIT_PERIOD_S = 10;

export type RateLimitScope = 'tenant' | 'token';

export type RateLimitOptions = {
  /** Called once per refused request (a metrics counter, say); must not throw. */
  onLimited?: (scope: RateLimitScope, env: Env) => void;
};

/** The counters' keys: the tenant, and the token's subject within it (tenant ids have no `/`). */
const rateLimitKeys = (p: { tenantId: string; subject: string }) => ({ tenant: p.tenantId, token: `${p.tenantId}/${p.subject}` });

// A failing limiter is reported, at most once a minute per isolate, not on every request.
let warnedAt = 0;

/**
 * After `authenticate` on /v1/*. The token's own limit is checked first, and the tenant's only when
 * it passes: a token refused by its own limit does not use up its tenant's budget, so one site in a
 * retry storm cannot starve the other sites of its tenant.
 */
export const rateLimit = ({ onLimited }: RateLimitOptions = {}): MiddlewareHandler<AppEnv> => {
  return async function rateLimit(c, next) {
    const keys = rateLimitKeys(c.get('principal'));
    let refused: RateLimitScope | null = null;
    try {
      if (!(await c.env.TOKEN_RATE_LIMIT.limit({ key: keys.token })).success) refused = 'token';
      else if (!(await c.env.TENANT_RATE_LIMIT.limit({ key: keys.tenant })).success) refused = 'tenant';
    } catch (e) {
      // fail open: a limiter that cannot answer must not stop the scans; limits protect fairness, not data
      if (Date.now() - warnedAt > 60_000) {
        warnedAt = Date.now();
        log(c.env, 'warn', 'rate limiter unavailable; letting requests through', { error: errorText(e) });
      }
    }
    if (refused) {
      onLimited?.(refused, c.env);
      const who = refused === 'token' ? "this token's subject" : 'this tenant';
      throw new ApiError(429, 'rate_limited', `${who} sent more requests than its limit allows in ${RATE_LIMIT_PERIOD_S} s; retry after ${RATE_LIMIT_PERIOD_S} s`,
        { scope: refused }, { 'retry-after': String(RATE_LIMIT_PERIOD_S) });
    }
    await next();
  };
};
