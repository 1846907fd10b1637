// The timeline read model: one line per event; a repeated event hits the primary key and is skipped.
import type { Projection } from '../types';
import { describe, siteTime } from './describe';

export const timelineProjection: Projection = {
  name: 'timeline',
  tables: ['rm_timeline'],
  async apply(db, t, batch) {
    const rows = batch.flatMap((b) =>
      b.events.map((e) => ({
        tenant_id: e.tenantId, stream_id: e.streamId, version: e.version, position: e.position, event_type: e.type,
        occurred_at: e.occurredAt, recorded_at: e.recordedAt, local_time: siteTime(e.occurredAt, e.location), location: e.location,
        actor: e.actor, source: e.source, description: describe(e),
      })),
    );
    await db.query(
      `insert into ${t('rm_timeline')} (tenant_id, stream_id, version, position, event_type, occurred_at, recorded_at, local_time, location, actor, source, description)
       select * from jsonb_to_recordset($1::jsonb) as x(tenant_id text, stream_id text, version bigint, position bigint, event_type text,
              occurred_at timestamptz, recorded_at timestamptz, local_time text, location text, actor text, source text, description text)
       on conflict do nothing`,
      [JSON.stringify(rows)],
    );
  },
};
