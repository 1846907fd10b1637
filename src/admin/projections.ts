// GET /v1/admin/projections · GET /v1/admin/projections/{name} · POST /v1/admin/projections/{name}/rebuild
// Operators (tracking:operator) see and act on the whole store; a tenant admin (tracking:admin)
// sees the status of its own tenant only.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { pooledDb } from '../db/pool';
import type { AppEnv } from '../env';
import { requireScope } from '../http/auth';
import { ApiError } from '../http/problem';
import { validate } from '../http/validate';
import { projector } from '../projections/consumer';
import { PROJECTION_NAMES } from '../projections/registry';
import type { ProjectionName } from '../projections/types';
import { requireAdmin, tenantScope } from './access';

export const projectionAdminRoutes = new Hono<AppEnv>();

export const nameSchema = z.strictObject({ name: z.enum(PROJECTION_NAMES as [ProjectionName, ...ProjectionName[]]) });

async function projectionStatus(c: Context<AppEnv>, names: ProjectionName[]) {
  const tenant = tenantScope(c); // null: the whole store
  const db = pooledDb(c.env, 'admin');
  const [rows, outbox, dead, open] = await Promise.all([
    db.query<Record<string, any>>(`select *, rebuild_checkpoint_tx::text as checkpoint_tx from projections where name = any($1::text[]) order by name`, [names]),
    db.query<{ n: string; age: number | null }>(
      `select count(*) as n, extract(epoch from now() - min(created_at))::float8 as age from outbox where $1::text is null or tenant_id = $1`, [tenant]),
    db.query<{ n: string }>(`select count(*) as n from dead_letters where replayed_at is null and ($1::text is null or tenant_id = $1)`, [tenant]),
    // the global-log reader waits for the oldest open transaction: rebuilds lag behind it
    db.query<{ age: number | null }>(`select extract(epoch from now() - min(xact_start))::float8 as age from pg_stat_activity where backend_xid is not null`, []),
  ]);
  // archived streams (src/retention/) are not behind: a rebuild never sees their events
  const lags = await Promise.all(
    rows.map((r) =>
      db.query<{ events: string; streams: string; age: number | null }>(
        `select coalesce(sum(s.version - coalesce(a.version, 0)), 0) as events, count(*) as streams,
                extract(epoch from now() - min(s.updated_at))::float8 as age
           from streams s left join rm_${r.name}_applied a using (tenant_id, stream_id)
          where s.version > coalesce(a.version, 0) and s.archived_at is null and ($1::text is null or s.tenant_id = $1)`,
        [tenant],
      ),
    ),
  );
  const secs = (x: number | null | undefined) => (x == null ? 0 : Math.round(x * 1000) / 1000);
  return rows.map((r, i) => ({
    name: r.name,
    generation: r.generation,
    state: r.rebuild_generation ? 'rebuilding' : 'live',
    lastAppliedAt: r.last_applied_at,
    lag: { events: Number(lags[i]![0]!.events), streams: Number(lags[i]![0]!.streams), seconds: secs(lags[i]![0]!.age) },
    backlog: { outboxCommits: Number(outbox[0]!.n), oldestSeconds: secs(outbox[0]!.age) },
    deadLetters: Number(dead[0]!.n),
    oldestOpenTransactionSeconds: secs(open[0]?.age),
    rebuild: r.rebuild_generation
      ? {
          generation: r.rebuild_generation,
          startedAt: r.rebuild_started_at,
          checkpoint: { transactionId: r.checkpoint_tx, position: Number(r.rebuild_checkpoint_pos) },
          events: Number(r.rebuild_applied),
          totalEvents: Number(r.rebuild_total),
          progress: Number(r.rebuild_total) ? Math.min(1, Number(r.rebuild_applied) / Number(r.rebuild_total)) : 1,
        }
      : null,
    lastRebuild: r.last_rebuild,
    ...(tenant ? { tenant } : {}),
  }));
}

projectionAdminRoutes.get('/v1/admin/projections', requireAdmin, async (c) => c.json({ items: await projectionStatus(c, PROJECTION_NAMES) }));

projectionAdminRoutes.get('/v1/admin/projections/:name', requireAdmin, validate('param', nameSchema), async (c) => {
  const [status] = await projectionStatus(c, [c.req.valid('param').name]);
  return c.json(status);
});

projectionAdminRoutes.post('/v1/admin/projections/:name/rebuild', requireScope('tracking:operator'), validate('param', nameSchema), async (c) => {
  const { name } = c.req.valid('param');
  const r = await projector(c.env).startRebuild(name);
  if (!r.ok) throw new ApiError(409, r.code, `a rebuild of ${name} is already running; follow it at /v1/admin/projections/${name}`);
  await c.env.REBUILD_QUEUE.send({ projection: name, generation: r.generation }, { contentType: 'json' });
  c.header('location', `/v1/admin/projections/${name}`);
  return c.json({ name, generation: r.generation, state: 'rebuilding', status: `/v1/admin/projections/${name}` }, 202);
});
