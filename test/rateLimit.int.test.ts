// Request limits per token subject and per tenant (src/http/rateLimit.ts) on Miniflare's simulation of
// the Workers rate-limiting bindings, with the test limits of vitest.config.ts (each test file runs in
// its own workerd, so the counters here count this file's requests only).
import { env } from 'cloudflare:workers';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { app } from '../src/app';
import type { AppEnv } from '../src/env';
import { ApiError, problem } from '../src/http/problem';
import { RATE_LIMIT_PERIOD_S, rateLimit, type RateLimitScope } from '../src/http/rateLimit';
import { api, ev, shipmentStream, sql, token } from './helpers/api';
import { Contract } from './helpers/contract';

type Limits = Record<'TENANT_RATE_LIMIT' | 'TOKEN_RATE_LIMIT', { simple: { limit: number; period: number } }>;
const LIMITS = JSON.parse((env as unknown as { TEST_RATE_LIMITS: string }).TEST_RATE_LIMITS) as Limits;
const TOKEN = LIMITS.TOKEN_RATE_LIMIT.simple.limit;
const TENANT = LIMITS.TENANT_RATE_LIMIT.simple.limit;
const PERIOD_MS = RATE_LIMIT_PERIOD_S * 1000;

const tenantId = () => `rl-${crypto.randomUUID().slice(0, 8)}`;
const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;

/**
 * n cheap requests (a 404 after authentication and the limits), 50 at a time: their statuses. Straight
 * to the app with the Worker's env (the same limiter bindings): each `exports.default.fetch` of the test
 * pool is slower than the last (cloudflare/workers-sdk#15446), thousands would take minutes.
 */
async function probe(tok: string, n: number): Promise<number[]> {
  const statuses: number[] = [];
  const init = { headers: { authorization: `Bearer ${tok}` } };
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => app.request('/v1/rate-limit-probe', init, env as Env, ctx)));
    statuses.push(...batch.map((r) => r.status));
  }
  return statuses;
}
const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

/**
 * Miniflare counts in windows aligned to multiples of the period: a test that must stay in one window
 * starts in a new one when less than `share` of the current one is left.
 */
async function freshWindow(share = 0.7) {
  const left = PERIOD_MS - (Date.now() % PERIOD_MS);
  if (left < share * PERIOD_MS) await new Promise((r) => setTimeout(r, left + 20));
  return Date.now() + PERIOD_MS - (Date.now() % PERIOD_MS);
}

let contract: Contract;
beforeAll(async () => {
  contract = new Contract((await api('GET', '/openapi.json', { token: null })).body);
});

describe('rate limits', () => {
  it('runs the tests with wrangler.toml periods, and Retry-After is that period', () => {
    expect(LIMITS.TENANT_RATE_LIMIT.simple.period).toBe(RATE_LIMIT_PERIOD_S);
    expect(LIMITS.TOKEN_RATE_LIMIT.simple.period).toBe(RATE_LIMIT_PERIOD_S);
    expect(TENANT).toBeGreaterThan(TOKEN + 10);
  });

  it('refuses a token subject past its limit, stores nothing, and lets the other subjects of its tenant through', async () => {
    const tenant = tenantId();
    const [siteA, siteB] = await Promise.all([token({ tenant, subject: 'site-a' }), token({ tenant, subject: 'site-b' })]);
    const windowEnd = await freshWindow();
    const allowed = await probe(siteA, TOKEN);
    expect(count(allowed, 404)).toBe(TOKEN);

    // an append past the limit: 429 problem+json, as documented, and nothing stored
    const s = shipmentStream();
    const refused = await contract.send(
      { method: 'POST', path: `/v1/streams/${s}/events`, token: siteA, body: { events: [ev()] } },
      { status: 429, code: 'rate_limited' },
    );
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.headers.get('retry-after')).toBe(String(RATE_LIMIT_PERIOD_S));
    expect(refused.body).toMatchObject({ status: 429, title: 'Too Many Requests', code: 'rate_limited', scope: 'token' });
    expect(refused.body.requestId).toBe(refused.headers.get('x-request-id'));
    expect(await sql('select 1 from events where tenant_id = $1 union all select 1 from streams where tenant_id = $1', [tenant])).toEqual([]);

    // keyed by subject, not by token: a fresh token of the same site is refused too
    const siteAAgain = await token({ tenant, subject: 'site-a' });
    expect((await api('GET', `/v1/streams/${s}/events`, { token: siteAAgain })).body).toMatchObject({ code: 'rate_limited', scope: 'token' });

    // a retry storm of site A past the tenant's whole budget: all refused, none charged to the tenant
    const storm = await probe(siteA, TENANT);
    expect(count(storm, 429)).toBe(TENANT);
    // so site B still gets through
    const appended = await api('POST', `/v1/streams/${s}/events`, { token: siteB, body: { events: [ev()] } });
    expect(appended.status).toBe(201);
    const read = await api('GET', `/v1/streams/${s}/events`, { token: siteB });
    expect(read.status).toBe(200);
    expect(read.body.events.map((e: { version: number }) => e.version)).toEqual([1]); // only B's event
    expect(Date.now(), 'the test ran past its window: a faster machine, or a larger share in freshWindow').toBeLessThan(windowEnd);
  }, 60_000);

  it('refuses every subject of a tenant past the tenant limit, and no other tenant', async () => {
    const [tenant, other] = [tenantId(), tenantId()];
    const per = TOKEN - 1; // every subject stays under its own limit
    const subjects = Math.ceil(TENANT / per);
    const tokens = await Promise.all(Array.from({ length: subjects }, (_, i) => token({ tenant, subject: `scanner-${i}` })));
    const [newcomer, elsewhere] = await Promise.all([token({ tenant, subject: 'scanner-new' }), token({ tenant: other, subject: 'scanner-0' })]);
    const windowEnd = await freshWindow();
    let sent = 0;
    for (const t of tokens) {
      const n = Math.min(per, TENANT - sent);
      expect(count(await probe(t, n), 404)).toBe(n);
      sent += n;
    }

    // the tenant's budget is spent: every subject is refused, one under its own limit and a new one
    for (const t of [tokens[0]!, newcomer]) {
      const res = await api('GET', '/v1/rate-limit-probe', { token: t });
      expect(res.status).toBe(429);
      expect(res.body).toMatchObject({ code: 'rate_limited', scope: 'tenant' });
      expect(res.headers.get('retry-after')).toBe(String(RATE_LIMIT_PERIOD_S));
    }
    const s = shipmentStream();
    const refused = await contract.send(
      { method: 'POST', path: `/v1/shipments/${s.slice(9)}/statuses`, token: newcomer, body: { code: 'RCS', pieces: 1, weightKg: 5, location: 'LIM' } },
      { status: 429, code: 'rate_limited' },
    );
    expect(refused.body.scope).toBe('tenant');
    expect(await sql('select 1 from events where tenant_id = $1', [tenant])).toEqual([]);

    // another tenant, even with the same subject, is not held up
    expect((await api('POST', `/v1/streams/${s}/events`, { token: elsewhere, body: { events: [ev()] } })).status).toBe(201);
    expect(await sql('select tenant_id from events where stream_id = $1', [s])).toEqual([{ tenant_id: other }]);
    expect(Date.now(), 'the test ran past its window').toBeLessThan(windowEnd);
  }, 60_000);

  it('lets requests through when a limiter fails (fail open)', async () => {
    const broken = { limit: () => Promise.reject(new Error('limiter down')) } as unknown as RateLimit;
    const tok = await token({ tenant: tenantId() });
    for (const failing of [{ TOKEN_RATE_LIMIT: broken }, { TENANT_RATE_LIMIT: broken }]) {
      const res = await app.request('/v1/rate-limit-probe', { headers: { authorization: `Bearer ${tok}` } }, { ...(env as Env), ...failing }, ctx);
      expect(res.status).toBe(404);
    }
  });

  it('checks the token first, charges the tenant only for what the token may send, and reports refusals', async () => {
    const calls: string[] = [];
    const limiter = (name: string, success: boolean) =>
      ({ limit: async ({ key }: { key: string }) => (calls.push(`${name}:${key}`), { success }) }) as unknown as RateLimit;
    const limited: RateLimitScope[] = [];
    const small = new Hono<AppEnv>()
      .use(async (c, next) => {
        c.set('principal', { tenantId: 'lim', subject: 'scanner/7', scopes: new Set(), carriers: null });
        await next();
      })
      .use(rateLimit({ onLimited: (scope) => limited.push(scope) }))
      .get('/', (c) => c.text('ok'))
      .onError((e, c) => problem(c, e as ApiError));
    const run = async (token: boolean, tenant: boolean) => {
      calls.length = 0;
      const res = await small.request('/', {}, { TOKEN_RATE_LIMIT: limiter('token', token), TENANT_RATE_LIMIT: limiter('tenant', tenant) });
      return { status: res.status, scope: res.status === 429 ? ((await res.json()) as { scope: string }).scope : null, calls: [...calls] };
    };
    expect(await run(true, true)).toEqual({ status: 200, scope: null, calls: ['token:lim/scanner/7', 'tenant:lim'] });
    expect(await run(false, true)).toEqual({ status: 429, scope: 'token', calls: ['token:lim/scanner/7'] });
    expect(await run(true, false)).toEqual({ status: 429, scope: 'tenant', calls: ['token:lim/scanner/7', 'tenant:lim'] });
    expect(limited).toEqual(['token', 'tenant']);
  });

  it('documents 429 rate_limited with Retry-After on every /v1 operation but the live subscriptions', () => {
    const doc = contract.doc as { paths: Record<string, Record<string, { operationId: string; responses: Record<string, { $ref?: string }> }>>; components: any };
    const limited: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths).filter(([p]) => p.startsWith('/v1/'))) {
      for (const op of Object.values(ops)) {
        const raw = op.responses['429'];
        const r = raw?.$ref ? doc.components.responses[raw.$ref.split('/').pop()!] : raw;
        const codes: string[] = r?.content['application/problem+json'].schema.allOf[1].properties.code.enum ?? [];
        if (path.startsWith('/v1/subscriptions/')) expect(codes, op.operationId).not.toContain('rate_limited');
        else {
          expect(codes, op.operationId).toContain('rate_limited');
          expect(r.headers['Retry-After'], op.operationId).toBeTruthy();
          limited.push(op.operationId);
        }
      }
    }
    expect(limited.length).toBeGreaterThan(20);
  });
});
