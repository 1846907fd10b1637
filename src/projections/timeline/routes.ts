// GET /v1/entities/{entityType}/{entityId}/timeline?cursor&limit: what happened, oldest first.
import { Hono } from 'hono';
import { z } from 'zod';
import { pooledDb } from '../../db/pool';
import type { AppEnv } from '../../env';
import { requireScope } from '../../http/auth';
import { validate } from '../../http/validate';
import { isoMicros, isoMillis } from '../../db/sqlTime';
import { decodeCursor, encodeCursor, ISO_MICROS } from '../cursor';
import { entityParamSchema } from '../params';
import { assertVisible, entityNotFound } from '../visibility';

export const timelineRoutes = new Hono<AppEnv>();

const querySchema = z.strictObject({
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const timelineQuerySchema = querySchema;

type Row = {
  version: string; position: string; event_type: string; occurred_at: string; recorded_at: string; local_time: string | null;
  location: string | null; actor: string | null; source: string | null; description: string; cursor_at: string;
};

timelineRoutes.get(
  '/v1/entities/:entityType/:entityId/timeline',
  requireScope('tracking:read'),
  validate('param', entityParamSchema),
  validate('query', querySchema),
  async (c) => {
    const { entityType, entityId } = c.req.valid('param');
    const q = c.req.valid('query');
    const p = c.get('principal');
    await assertVisible(c, entityType, entityId, entityNotFound(entityType, entityId));
    const after = decodeCursor<[string, number]>(q.cursor, (k) => k.length === 2 && ISO_MICROS.test(String(k[0])) && Number.isSafeInteger(k[1]));
    const streamId = `${entityType}-${entityId}`;
    const rows = await pooledDb(c.env, streamId).query<Row>(
      `select t.version, t.position, t.event_type, ${isoMillis('t.occurred_at')} as occurred_at, ${isoMillis('t.recorded_at')} as recorded_at,
              t.local_time, t.location, t.actor, t.source, t.description, ${isoMicros('t.occurred_at')} as cursor_at
         from rm_timeline t
        where t.tenant_id = $1 and t.stream_id = $2 and ($3::timestamptz is null or (t.occurred_at, t.version) > ($3::timestamptz, $4::bigint))
        order by t.occurred_at, t.version limit $5`,
      [p.tenantId, streamId, after?.[0] ?? null, after?.[1] ?? 0, q.limit + 1],
    );
    if (!rows.length && !after) throw entityNotFound(entityType, entityId);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return c.json({
      entityType, entityId,
      items: page.map((r) => ({
        version: Number(r.version), type: r.event_type, occurredAt: r.occurred_at, localTime: r.local_time, recordedAt: r.recorded_at,
        location: r.location, actor: r.actor, source: r.source, description: r.description,
      })),
      next: rows.length > q.limit && last ? encodeCursor([last.cursor_at, Number(last.version)]) : null,
    });
  },
);
