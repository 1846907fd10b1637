// Liveness and readiness. Ready means the API can take writes (Postgres answers, the events queue is
// bound) and its reads are fresh: the read side is within READY_MAX_LAG_S seconds (default 60) and
// READY_MAX_BACKLOG waiting commits (default 10,000). The body says which check failed, with numbers.
import { Hono } from 'hono';
import { pooledDb } from '../db/pool';
import type { AppEnv } from '../env';
import { backlogTotal, readSideLag, type ReadSideLag } from '../projections/lag';

export const healthRoutes = new Hono<AppEnv>();

healthRoutes.get('/health/live', (c) => c.json({ status: 'ok' }));

const limit = (v: string | undefined, fallback: number) => (Number.isFinite(Number(v)) && Number(v) > 0 ? Number(v) : fallback);

healthRoutes.get('/health/ready', async (c) => {
  const thresholds = { maxLagSeconds: limit(c.env.READY_MAX_LAG_S, 60), maxBacklog: limit(c.env.READY_MAX_BACKLOG, 10_000) };
  const checks: Record<string, string> = { queue: c.env.EVENTS_QUEUE ? 'ok' : 'missing' };
  let lag: ReadSideLag | null = null;
  try {
    lag = await readSideLag(pooledDb(c.env, 'health'));
    checks.postgres = 'ok';
  } catch {
    checks.postgres = 'unreachable';
  }
  const readSide = lag && {
    lagSeconds: lag.lagSeconds,
    backlog: backlogTotal(lag),
    deadLetters: lag.deadLetters.reduce((n, d) => n + d.count, 0),
    oldestOpenTransactionSeconds: lag.oldestOpenTransactionSeconds,
  };
  checks.projections = !readSide ? 'unknown' : readSide.lagSeconds > thresholds.maxLagSeconds || readSide.backlog > thresholds.maxBacklog ? 'lagging' : 'ok';
  const ready = Object.values(checks).every((v) => v === 'ok');
  return c.json({ status: ready ? 'ready' : 'unavailable', checks, ...(readSide ? { readSide } : {}), thresholds }, ready ? 200 : 503);
});
