// The status read model: one row per entity, folded in memory and written in one statement per batch.
// Its fold state is the row itself, so rm_status_applied keeps no copy of it (that copy was a
// third of the read side's WAL per event): a stream's row is read back when its next events come.
import type { Db } from '../../db/client';
import { isoMillis } from '../../db/sqlTime';
import type { Projection, StreamBatch } from '../types';
import { foldStatus, type StatusRow } from './fold';

/** The rows of streams that already have one and whose applied state holds no copy of it. */
async function storedRows(db: Db, table: string, batch: StreamBatch[]): Promise<Map<string, StatusRow>> {
  const want = batch.filter((b) => b.state == null && b.events[0]!.version > 1);
  if (!want.length) return new Map();
  const rows = await db.query<StatusRow & { tenant_id: string; stream_id: string; version: string }>(
    `select s.tenant_id, s.stream_id, s.entity_type as "entityType", s.entity_id as "entityId", s.status, s.location, s.airport,
            s.flight, s.uld, s.pieces, s.weight_kg as "weightKg", s.carriers, s.details,
            s.last_event_type as "lastEventType", ${isoMillis('s.last_event_at')} as "lastEventAt",
            ${isoMillis('s.updated_at')} as "updatedAt", s.version
       from ${table} s join unnest($1::text[], $2::text[]) w(tenant_id, stream_id) using (tenant_id, stream_id)`,
    [want.map((b) => b.tenantId), want.map((b) => b.streamId)],
  );
  return new Map(rows.map(({ tenant_id, stream_id, ...r }) => [`${tenant_id}\n${stream_id}`, { ...r, version: Number(r.version) }]));
}

/** The row after each event of a batch entry (for live subscriptions: src/projections/apply.ts hands them on). */
export const foldedRows = new WeakMap<StreamBatch, StatusRow[]>();

export const statusProjection: Projection = {
  name: 'status',
  tables: ['rm_status'],
  async apply(db, t, batch) {
    const stored = await storedRows(db, t('rm_status'), batch);
    const rows = batch.map((b) => {
      let row = (b.state as StatusRow | null) ?? stored.get(`${b.tenantId}\n${b.streamId}`) ?? null;
      const steps: StatusRow[] = [];
      for (const e of b.events) steps.push((row = foldStatus(row, e)));
      foldedRows.set(b, steps);
      b.state = null; // the row is the state
      return { tenant_id: b.tenantId, stream_id: b.streamId, ...row! };
    });
    await db.query(
      `insert into ${t('rm_status')} (tenant_id, stream_id, entity_type, entity_id, status, location, airport, flight, uld, pieces, weight_kg,
                                       carriers, details, last_event_type, last_event_at, updated_at, version)
       select tenant_id, stream_id, "entityType", "entityId", status, location, airport, flight, uld, pieces, "weightKg",
              array(select jsonb_array_elements_text(carriers)), details, "lastEventType", "lastEventAt", "updatedAt", version
         from jsonb_to_recordset($1::jsonb) as x(tenant_id text, stream_id text, "entityType" text, "entityId" text, status text, location text,
              airport text, flight text, uld text, pieces int, "weightKg" float8, carriers jsonb, details jsonb, "lastEventType" text,
              "lastEventAt" timestamptz, "updatedAt" timestamptz, version bigint)
       on conflict (tenant_id, stream_id) do update set
         status = excluded.status, location = excluded.location, airport = excluded.airport, flight = excluded.flight, uld = excluded.uld,
         pieces = excluded.pieces, weight_kg = excluded.weight_kg, carriers = excluded.carriers, details = excluded.details,
         last_event_type = excluded.last_event_type, last_event_at = excluded.last_event_at, updated_at = excluded.updated_at, version = excluded.version`,
      [JSON.stringify(rows)],
    );
  },
};
