// GET /metrics: Prometheus text for the whole deployment. Counters and histograms come summed from
// the aggregator object; the read side's lag, backlog and dead letters are read from Postgres now.
// Scraped with METRICS_TOKEN (a secret; what a Prometheus job is given) or an operator's JWT.
import { Hono, type Context } from 'hono';
import { pooledDb } from '../db/pool';
import type { AppEnv } from '../env';
import { unauthorized, verifyToken } from '../http/auth';
import { ApiError } from '../http/problem';
import { backlogTotal, readSideLag } from '../projections/lag';
import { seriesKey } from './catalog';
import { CONTENT_TYPE } from './exposition';
import { aggregator } from './registry';

export const prometheusRoutes = new Hono<AppEnv>();

const digest = async (s: string) => new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)));

/** Compares digests in constant time, so the response time tells nothing of the secret. */
async function isMetricsToken(env: Env, token: string): Promise<boolean> {
  if (!env.METRICS_TOKEN) return false;
  const [a, b] = await Promise.all([digest(token), digest(env.METRICS_TOKEN)]);
  return crypto.subtle.timingSafeEqual(a, b);
}

async function authorize(c: Context<AppEnv>) {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '')?.[1];
  if (!token) throw unauthorized('send METRICS_TOKEN or an operator token as a bearer token', 'invalid_request');
  if (await isMetricsToken(c.env, token)) return;
  const { principal } = await verifyToken(c.env, token);
  if (!principal.scopes.has('tracking:operator')) {
    throw new ApiError(403, 'insufficient_scope', 'metrics need the tracking:operator scope or METRICS_TOKEN', {}, {
      'www-authenticate': 'Bearer realm="tracktrace", error="insufficient_scope", scope="tracking:operator"',
    });
  }
}

/** The read side's gauges; none when Postgres cannot be asked (the counters are served all the same). */
async function readSideGauges(env: Env): Promise<Map<string, number>> {
  const g = new Map<string, number>();
  let lag;
  try {
    lag = await readSideLag(pooledDb(env, 'metrics'));
  } catch {
    return g;
  }
  g.set(seriesKey('tt_projection_lag_seconds'), lag.lagSeconds);
  g.set(seriesKey('tt_oldest_open_transaction_seconds'), lag.oldestOpenTransactionSeconds);
  g.set(seriesKey('tt_outbox_backlog'), backlogTotal(lag));
  for (const b of lag.backlog) g.set(seriesKey('tt_outbox_backlog_tenant', { tenant: b.tenantId }), b.commits);
  for (const d of lag.deadLetters) g.set(seriesKey('tt_dead_letters', { queue: d.queue }), d.count);
  for (const p of lag.projections) {
    if (p.lastAppliedSeconds !== null) g.set(seriesKey('tt_projection_last_applied_seconds', { projection: p.name }), p.lastAppliedSeconds);
    if (p.rebuildProgress !== null) g.set(seriesKey('tt_projection_rebuild_progress', { projection: p.name }), p.rebuildProgress);
  }
  return g;
}

prometheusRoutes.get('/metrics', async (c) => {
  await authorize(c);
  const text = await aggregator(c.env).render({ gauges: await readSideGauges(c.env) });
  return c.body(text, 200, { 'content-type': CONTENT_TYPE, 'cache-control': 'no-store' });
});
