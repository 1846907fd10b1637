import type { Db } from '../db/client';
import { isoMillis } from '../db/sqlTime';
import type { StreamKey } from './types';

export type StoredFact = { version: number; type: string; schemaVersion: number; data: Record<string, unknown>; location: string | null };

/**
 * One round trip: the latest snapshot of this state shape (if any) and every event after it, and
 * when retention archived the stream (then there are neither).
 */
export async function loadSnapshotAndTail(db: Db, key: StreamKey, stateVersion: number) {
  const rows = await db.query<{ snapshot: { version: number; state: unknown } | null; events: StoredFact[]; archived_at: string | null }>(
    `with snap as (select version, state from snapshots
                    where tenant_id = $1 and stream_id = $2 and state_version = $3)
     select (select json_build_object('version', version, 'state', state) from snap) as snapshot,
            (select coalesce(json_agg(json_build_object('version', e.version, 'type', e.event_type,
                       'schemaVersion', e.schema_version, 'data', e.data, 'location', e.location) order by e.version), '[]')
               from events e
              where e.tenant_id = $1 and e.stream_id = $2
                and e.version > coalesce((select version from snap), 0)) as events,
            (select ${isoMillis('archived_at')} from streams where tenant_id = $1 and stream_id = $2) as archived_at`,
    [key.tenantId, key.streamId, stateVersion],
  );
  return rows[0]!;
}

export async function saveSnapshot(db: Db, key: StreamKey, version: number, stateVersion: number, state: unknown) {
  await db.query(
    `insert into snapshots (tenant_id, stream_id, version, state_version, state) values ($1, $2, $3, $4, $5::jsonb)
     on conflict (tenant_id, stream_id) do update
        set version = excluded.version, state_version = excluded.state_version, state = excluded.state, created_at = now()
      where snapshots.version < excluded.version or snapshots.state_version <> excluded.state_version`,
    [key.tenantId, key.streamId, version, stateVersion, JSON.stringify(state)],
  );
}

/** Stored events by id, rendered as reads show them (a replayed command answers with these). */
export async function eventsById(db: Db, key: StreamKey, ids: string[]): Promise<{ version: number; events: string } | null> {
  const rows = await db.query<{ version: string | null; events: string }>(
    `select max(e.version) as version, '[' || coalesce(string_agg(tt_render(e), ',' order by e.version), '') || ']' as events
       from events e where e.tenant_id = $1 and e.stream_id = $2 and e.event_id = any($3::uuid[])`,
    [key.tenantId, key.streamId, ids],
  );
  const r = rows[0];
  return r?.version ? { version: Number(r.version), events: r.events } : null;
}
