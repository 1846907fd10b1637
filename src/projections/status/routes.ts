// GET /v1/entities/{entityType}/{entityId}: an entity's current status.
// GET /v1/entities?type&status&statusNot&location&flight&updatedSince&cursor&limit: search.
import { Hono } from 'hono';
import { z } from 'zod';
import { locationSchema } from '../../domain/airports';
import { flightIdSchema } from '../../domain/ids';
import { ENTITY_TYPES } from '../../domain/identifiers';
import { pooledDb } from '../../db/pool';
import type { AppEnv } from '../../env';
import { requireScope } from '../../http/auth';
import { notModified } from '../../http/preconditions';
import { validate } from '../../http/validate';
import { instantSchema } from '../../streams/schemas';
import { isoMicros, isoMillis } from '../../db/sqlTime';
import { decodeCursor, encodeCursor, ISO_MICROS } from '../cursor';
import { entityParamSchema } from '../params';
import { entityNotFound, visibleSql } from '../visibility';

export const statusRoutes = new Hono<AppEnv>();

const COLUMNS = `s.entity_type, s.entity_id, s.stream_id, s.status, s.location, s.airport, s.flight, s.uld, s.pieces, s.weight_kg, s.carriers,
  s.details, s.last_event_type, ${isoMillis('s.last_event_at')} as last_event_at, ${isoMillis('s.updated_at')} as updated_at, s.version,
  ${isoMicros('s.updated_at')} as cursor_at`;

type Row = {
  entity_type: string; entity_id: string; stream_id: string; status: string | null; location: string | null; airport: string | null;
  flight: string | null; uld: string | null; pieces: number | null; weight_kg: number | null; carriers: string[]; details: Record<string, unknown>;
  last_event_type: string; last_event_at: string; updated_at: string; version: string; cursor_at: string;
};

export const statusBody = (r: Row) => ({
  entityType: r.entity_type, entityId: r.entity_id, streamId: r.stream_id, status: r.status, location: r.location, airport: r.airport,
  flight: r.flight, uld: r.uld, pieces: r.pieces, weightKg: r.weight_kg, carriers: r.carriers, details: r.details,
  lastEvent: { type: r.last_event_type, occurredAt: r.last_event_at }, updatedAt: r.updated_at, version: Number(r.version),
});

statusRoutes.get('/v1/entities/:entityType/:entityId', requireScope('tracking:read'), validate('param', entityParamSchema), async (c) => {
  const { entityType, entityId } = c.req.valid('param');
  const p = c.get('principal');
  const rows = await pooledDb(c.env, `${entityType}-${entityId}`).query<Row>(
    `select ${COLUMNS} from rm_status s where s.tenant_id = $1 and s.stream_id = $2 and ${visibleSql(3)}`,
    [p.tenantId, `${entityType}-${entityId}`, p.carriers],
  );
  const r = rows[0];
  if (!r) throw entityNotFound(entityType, entityId);
  return notModified(c, `"${r.version}"`) ?? c.json(statusBody(r));
});

const STATUS = /^[A-Za-z]{2,32}$/;
const statusList = () =>
  z.string().max(500).transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(STATUS, 'a status is 2-32 letters')).min(1).max(20));

const searchSchema = z.strictObject({
  type: z.enum(ENTITY_TYPES).optional(),
  status: statusList().optional().meta({ description: 'any of these statuses, comma-separated (RCS,FOH)' }),
  statusNot: statusList().optional().meta({ description: 'none of these statuses (DLV)' }),
  location: locationSchema.optional().meta({ description: 'an airport (LIM) or a place and everything under it (LIM/WH2)' }),
  flight: flightIdSchema.optional(),
  updatedSince: instantSchema.optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const entitySearchSchema = searchSchema;

statusRoutes.get('/v1/entities', requireScope('tracking:read'), validate('query', searchSchema), async (c) => {
  const q = c.req.valid('query');
  const p = c.get('principal');
  const after = decodeCursor<[string, string]>(q.cursor, (k) => k.length === 2 && ISO_MICROS.test(String(k[0])) && typeof k[1] === 'string');
  const params: unknown[] = [p.tenantId, p.carriers];
  const where = ['s.tenant_id = $1', visibleSql(2)];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (q.type) add((n) => `s.entity_type = ${n}`, q.type);
  if (q.status) add((n) => `s.status = any(${n}::text[])`, q.status);
  if (q.statusNot) add((n) => `s.status <> all(${n}::text[])`, q.statusNot);
  if (q.location?.length === 3) add((n) => `s.airport = ${n}`, q.location);
  // the prefix LIKE can use the location index; the rest keeps LIM/WH2 from matching LIM/WH20
  else if (q.location) add((n) => `s.location like ${n} || '%' and (s.location = ${n} or s.location like ${n} || '/%')`, q.location);
  if (q.flight) add((n) => `s.flight = ${n}`, q.flight);
  if (q.updatedSince) add((n) => `s.updated_at >= ${n}::timestamptz`, q.updatedSince);
  if (after) {
    params.push(after[0], after[1]);
    where.push(`(s.updated_at, s.stream_id) < ($${params.length - 1}::timestamptz, $${params.length})`);
  }
  params.push(q.limit + 1);
  const rows = await pooledDb(c.env, `search:${p.tenantId}`).query<Row>(
    `select ${COLUMNS} from rm_status s where ${where.join(' and ')} order by s.updated_at desc, s.stream_id desc limit $${params.length}`,
    params,
  );
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return c.json({ items: page.map(statusBody), next: rows.length > q.limit && last ? encodeCursor([last.cursor_at, last.stream_id]) : null });
});
