import { Hono } from 'hono';
import { pooledDb } from '../db/pool';
import type { AppEnv } from '../env';

export const healthRoutes = new Hono<AppEnv>();

healthRoutes.get('/health/live', (c) => c.json({ status: 'ok' }));

healthRoutes.get('/health/ready', async (c) => {
  const checks: Record<string, string> = { queue: c.env.EVENTS_QUEUE ? 'ok' : 'missing' };
  try {
    await pooledDb(c.env, 'health').query('select 1', []);
    checks.postgres = 'ok';
  } catch {
    checks.postgres = 'unreachable';
  }
  const ready = Object.values(checks).every((v) => v === 'ok');
  return c.json({ status: ready ? 'ready' : 'unavailable', checks }, ready ? 200 : 503);
});
