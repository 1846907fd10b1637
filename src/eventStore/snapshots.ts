import type { Db } from '../db/client';
import type { StreamKey } from './types';

export type StoredFact = { version: number; type: string; schemaVersion: number; data: Record<string, unknown>; location: string | null };

/** One round trip: the latest snapshot of this state shape (if any) and every event after it. */
export async function loadSnapshotAndTail(db: Db, key: StreamKey, stateVersion: number) {
  const rows = await db.query<{ snapshot: { version: number; state: unknown } | null; events: StoredFact[] }>(
    `with snap as (select version, state from snapshots
                    where tenant_id = $1 and stream_id = $2 and state_version = $3)
     select (select json_build_object('version', version, 'state', state) from snap) as snapshot,
            (select coalesce(json_agg(json_build_object('version', e.version, 'type', e.event_type,
                       'schemaVersion', e.schema_version, 'data', e.data, 'location', e.location) order by e.version), '[]')
               from events e
              where e.tenant_id = $1 and e.stream_id = $2
                and e.version > coalesce((select version from snap), 0)) as events`,
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

/** Stored events by id, as the API shows them (a replayed command answers with these). */
export async function eventsById(db: Db, key: StreamKey, ids: string[]) {
  return db.query<Record<string, unknown>>(
    `select e.event_id as "id", e.version::int as "version", e.global_position::bigint as "position", e.event_type as "type",
            e.schema_version as "schemaVersion", to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "occurredAt",
            e.location, e.data, e.metadata
       from events e where e.tenant_id = $1 and e.stream_id = $2 and e.event_id = any($3::uuid[]) order by e.version`,
    [key.tenantId, key.streamId, ids],
  );
}
