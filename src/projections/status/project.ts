// The status read model: one row per entity, folded in memory and written in one statement per batch.
import type { Projection } from '../types';
import { foldStatus, type StatusRow } from './fold';

export const statusProjection: Projection = {
  name: 'status',
  tables: ['rm_status'],
  async apply(db, t, batch) {
    const rows = batch.map((b) => {
      let row = b.state as StatusRow | null;
      for (const e of b.events) row = foldStatus(row, e);
      b.state = row;
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
