// GET /v1/admin/dead-letters · POST /v1/admin/dead-letters/{id}/replay
// Messages the consumer gave up on, kept in Postgres: listed (a tenant admin sees its own tenant's),
// and sent again by an operator once the cause is fixed. Nothing is dropped silently.
import { Hono } from 'hono';
import { z } from 'zod';
import { pooledDb } from '../db/pool';
import type { AppEnv } from '../env';
import { requireScope } from '../http/auth';
import { ApiError } from '../http/problem';
import { validate } from '../http/validate';
import { isoMillis } from '../db/sqlTime';
import { requireAdmin, tenantScope } from './access';

export const deadLetterRoutes = new Hono<AppEnv>();

type Row = { id: string; message_id: string; queue: string; tenant_id: string | null; body: unknown; attempts: number; received_at: string; replayed_at: string | null; replays: number };
const COLUMNS = `id, message_id, queue, tenant_id, body, attempts, ${isoMillis('received_at')} as received_at, ${isoMillis('replayed_at')} as replayed_at, replays`;
const view = (r: Row) => ({
  id: Number(r.id), messageId: r.message_id, queue: r.queue, tenantId: r.tenant_id, body: r.body, attempts: r.attempts,
  receivedAt: r.received_at, replayedAt: r.replayed_at, replays: r.replays,
});

deadLetterRoutes.get(
  '/v1/admin/dead-letters',
  requireAdmin,
  validate('query', z.strictObject({ includeReplayed: z.enum(['true', 'false']).default('false'), limit: z.coerce.number().int().min(1).max(500).default(100) })),
  async (c) => {
    const q = c.req.valid('query');
    const rows = await pooledDb(c.env, 'admin').query<Row>(
      `select ${COLUMNS} from dead_letters where ($1::text is null or tenant_id = $1) and ($2 or replayed_at is null) order by id desc limit $3`,
      [tenantScope(c), q.includeReplayed === 'true', q.limit],
    );
    return c.json({ items: rows.map(view) });
  },
);

deadLetterRoutes.post(
  '/v1/admin/dead-letters/:id/replay',
  requireScope('tracking:operator'),
  validate('param', z.strictObject({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) })),
  async (c) => {
    const { id } = c.req.valid('param');
    const db = pooledDb(c.env, 'admin');
    const [row] = await db.query<Row>(`select ${COLUMNS} from dead_letters where id = $1`, [id]);
    if (!row) throw new ApiError(404, 'not_found', `no dead letter ${id}`);
    const target = row.queue.endsWith('-rebuild') ? c.env.REBUILD_QUEUE : c.env.EVENTS_QUEUE;
    await target.send(row.body, { contentType: 'json' });
    const [done] = await db.query<Row>(`update dead_letters set replayed_at = now(), replays = replays + 1 where id = $1 returning ${COLUMNS}`, [id]);
    return c.json(view(done!), 202);
  },
);
