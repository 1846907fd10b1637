import type { Db } from '../db/client';
import { isoMillis } from '../db/sqlTime';
import { upcast, UPCASTABLE } from '../domain/upcasters';
import type { ReadRequest, StreamKey } from './types';


// Versions are contiguous (1..version), so a page is a version range. Postgres renders each event
// with tt_render (the same text appends return) and joins them: no row decoding on this path.
const PAGE_SQL = (direction: 'forward' | 'backward') => {
  const [range, order] = direction === 'forward'
    ? ['e.version >= $3 and e.version < $3 + $4', 'asc']
    : ['e.version <= least($3, s.version) and e.version > least($3, s.version) - $4', 'desc'];
  return `
  select s.version, p.events, p.stale, ${isoMillis('s.archived_at')} as archived_at
    from streams s,
         lateral (select '[' || coalesce(string_agg(tt_render(e), ',' order by e.version ${order}), '') || ']' as events,
                         coalesce(bool_or((e.event_type || '@' || e.schema_version) = any($5::text[])), false) as stale
                    from events e where e.tenant_id = $1 and e.stream_id = $2 and ${range}) p
   where s.tenant_id = $1 and s.stream_id = $2`;
};

const SQL = { forward: PAGE_SQL('forward'), backward: PAGE_SQL('backward') };

type Page = { type: string; schemaVersion: number; data: Record<string, unknown> }[];

/** A page holding older schema versions is upcast here; clean pages pass through as text. */
export const upcastPage = (events: string) =>
  JSON.stringify((JSON.parse(events) as Page).map((e) => ({ ...e, ...upcast(e.type, e.schemaVersion, e.data) })));

export const needsUpcast = (type: string, schemaVersion: number) => UPCASTABLE.includes(`${type}@${schemaVersion}`);

export async function readPage(db: Db, key: StreamKey, q: ReadRequest): Promise<{ version: number; events: string } | { archivedAt: string } | null> {
  const from = q.direction === 'forward' ? Math.max(q.fromVersion ?? 1, 1) : (q.fromVersion ?? Number.MAX_SAFE_INTEGER);
  const rows = await db.query<{ version: string | number; events: string; stale: boolean; archived_at: string | null }>(SQL[q.direction], [
    key.tenantId, key.streamId, from, q.limit, UPCASTABLE,
  ]);
  const r = rows[0];
  if (!r) return null;
  if (r.archived_at) return { archivedAt: r.archived_at }; // retention moved its events (src/retention/)
  return { version: Number(r.version), events: r.stale ? upcastPage(r.events) : r.events };
}

type Info = { streamId: string; entityType: string; version: number; createdAt: string; updatedAt: string };

export async function readInfo(db: Db, key: StreamKey): Promise<Info | { archivedAt: string } | null> {
  const rows = await db.query<{ stream_id: string; entity_type: string; version: string; created_at: string; updated_at: string; archived_at: string | null }>(
    `select stream_id, entity_type, version,
            ${isoMillis('created_at')} as created_at,
            ${isoMillis('updated_at')} as updated_at,
            ${isoMillis('archived_at')} as archived_at
       from streams where tenant_id = $1 and stream_id = $2`,
    [key.tenantId, key.streamId],
  );
  const r = rows[0];
  if (r?.archived_at) return { archivedAt: r.archived_at };
  return r
    ? { streamId: r.stream_id, entityType: r.entity_type, version: Number(r.version), createdAt: r.created_at, updatedAt: r.updated_at }
    : null;
}
