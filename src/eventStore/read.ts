import type { Db } from '../db/client';
import { upcast, UPCASTABLE } from '../domain/upcasters';
import type { ReadRequest, StreamKey } from './types';

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

// Postgres renders the page as compact JSON text (one record per event, columns in this order):
// no row decoding and re-encoding on the read path.
const PAGE_SQL = (direction: 'forward' | 'backward') => {
  const [cmp, order] = direction === 'forward' ? ['>=', 'asc'] : ['<=', 'desc'];
  return `
  select s.version, pg.events, pg.stale
    from streams s,
         lateral (select coalesce(json_agg(p order by p.version ${order}), '[]')::text as events,
                         coalesce(bool_or((p."type" || '@' || p."schemaVersion") = any($5::text[])), false) as stale
                    from (select e.event_id as "id", e.version, e.global_position as "position", e.event_type as "type",
                                 e.schema_version as "schemaVersion",
                                 to_char(e.occurred_at at time zone 'UTC', ${ISO}) as "occurredAt",
                                 to_char(e.recorded_at at time zone 'UTC', ${ISO}) as "recordedAt",
                                 e.location, e.data, e.metadata
                            from events e
                           where e.tenant_id = $1 and e.stream_id = $2 and e.version ${cmp} $3
                           order by e.version ${order} limit $4) p) pg
   where s.tenant_id = $1 and s.stream_id = $2`;
};

const SQL = { forward: PAGE_SQL('forward'), backward: PAGE_SQL('backward') };

export async function readPage(db: Db, key: StreamKey, q: ReadRequest) {
  const from = q.fromVersion ?? (q.direction === 'forward' ? 1 : Number.MAX_SAFE_INTEGER);
  const rows = await db.query<{ version: string | number; events: string; stale: boolean }>(SQL[q.direction], [
    key.tenantId, key.streamId, from, q.limit, UPCASTABLE,
  ]);
  const r = rows[0];
  if (!r) return null;
  // a page holding older schema versions is upcast here; clean pages pass through as text
  const events = r.stale
    ? JSON.stringify((JSON.parse(r.events) as { type: string; schemaVersion: number; data: Record<string, unknown> }[]).map((e) => ({ ...e, ...upcast(e.type, e.schemaVersion, e.data) })))
    : r.events;
  return { version: Number(r.version), events };
}

export async function readInfo(db: Db, key: StreamKey) {
  const rows = await db.query<{ stream_id: string; entity_type: string; version: string; created_at: string; updated_at: string }>(
    `select stream_id, entity_type, version,
            to_char(created_at at time zone 'UTC', ${ISO}) as created_at,
            to_char(updated_at at time zone 'UTC', ${ISO}) as updated_at
       from streams where tenant_id = $1 and stream_id = $2`,
    [key.tenantId, key.streamId],
  );
  const r = rows[0];
  return r
    ? { streamId: r.stream_id, entityType: r.entity_type, version: Number(r.version), createdAt: r.created_at, updatedAt: r.updated_at }
    : null;
}
