import { Client } from '@neondatabase/serverless';
import { Hono } from 'hono';
import { configureDriver } from '../db/client';
import type { AppEnv } from '../env';

export const healthRoutes = new Hono<AppEnv>();

healthRoutes.get('/health/live', (c) => c.json({ status: 'ok' }));

healthRoutes.get('/health/ready', async (c) => {
  configureDriver(c.env);
  const checks: Record<string, string> = { queue: c.env.EVENTS_QUEUE ? 'ok' : 'missing' };
  const client = new Client({ connectionString: c.env.DATABASE_URL });
  client.on('error', () => {});
  try {
    await Promise.race([
      client.connect().then(() => client.query('select 1')),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 3_000)),
    ]);
    checks.postgres = 'ok';
  } catch {
    checks.postgres = 'unreachable';
  } finally {
    client.end().catch(() => {});
  }
  const ready = Object.values(checks).every((v) => v === 'ok');
  return c.json({ status: ready ? 'ready' : 'unavailable', checks }, ready ? 200 : 503);
});
