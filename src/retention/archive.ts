// The SQL of retention: which streams are past their retention, moving one to the archive
// (tt_archive_stream, migration 0011: one statement, so one transaction), and dropping snapshots
// nothing can load any more.
import type { Db } from '../db/client';
import { isoMicros } from '../db/sqlTime';
import type { EntityType } from '../domain/identifiers';

export type Candidate = { tenantId: string; streamId: string; entityType: EntityType; /** its cutoff, as Postgres computed it */ before: string };

/**
 * Streams whose last append is older than their (tenant, entity type) retention, not held
 * (retain_until), with nothing waiting for the projections (outbox), oldest first.
 *
 * Cheap when nothing is due, whatever the store's size: the (tenant, entity type) pairs come from
 * streams_retention_idx by a loose index scan (one descent per pair), and each pair's candidates
 * from a range of the same index below its cutoff. The index is on created_at, which appends never
 * change (updated_at would cost every append an index write); a stream created before the cutoff
 * is also checked on updated_at, so long-lived busy streams (ULDs, equipment) are the only rows it
 * passes over.
 */
export async function findCandidates(
  db: Db,
  o: { policies: { tenantId: string; entityType: string; seconds: number | null }[]; defaultSeconds: number; limit: number; tenantId?: string },
): Promise<Candidate[]> {
  const tenant = o.tenantId === undefined ? '' : 'and tenant_id = $6';
  const rows = await db.query<{ tenant_id: string; stream_id: string; entity_type: EntityType; before: string }>(
    `with recursive pairs as (
       (select tenant_id, entity_type from streams where archived_at is null ${tenant} order by tenant_id, entity_type limit 1)
       union all
       select n.tenant_id, n.entity_type from pairs p cross join lateral (
         select tenant_id, entity_type from streams
          where archived_at is null and (tenant_id, entity_type) > (p.tenant_id, p.entity_type) ${tenant}
          order by tenant_id, entity_type limit 1) n
     ), cutoffs as (
       select p.tenant_id, p.entity_type,
              now() - make_interval(secs => case when x.tenant_id is null then $4 else x.seconds end) as before
         from pairs p left join unnest($1::text[], $2::text[], $3::float8[]) x(tenant_id, entity_type, seconds) using (tenant_id, entity_type)
     )
     select c.tenant_id, s.stream_id, c.entity_type, ${isoMicros('c.before')} as before
       from cutoffs c cross join lateral (
         select s.stream_id, s.created_at from streams s
          where s.tenant_id = c.tenant_id and s.entity_type = c.entity_type and s.archived_at is null
            and s.created_at < c.before and s.updated_at < c.before
            and (s.retain_until is null or s.retain_until <= now())
            and not exists (select 1 from outbox o where o.tenant_id = s.tenant_id and o.stream_id = s.stream_id)
          order by s.created_at limit $5) s
      order by s.created_at, c.tenant_id, s.stream_id
      limit $5`,
    [
      o.policies.map((p) => p.tenantId), o.policies.map((p) => p.entityType), o.policies.map((p) => p.seconds),
      o.defaultSeconds, o.limit, ...(o.tenantId === undefined ? [] : [o.tenantId]),
    ],
  );
  return rows.map((r) => ({ tenantId: r.tenant_id, streamId: r.stream_id, entityType: r.entity_type, before: r.before }));
}

export type ArchiveOutcome =
  | { outcome: 'archived'; events: number; archivedAt: string }
  | { outcome: 'already'; archivedAt: string }
  | { outcome: 'active' | 'held' | 'pending' | 'missing' };

/** Moves one stream, if it is still due at `before`: all of it in one transaction, or nothing. */
export async function archiveStream(db: Db, c: Candidate): Promise<ArchiveOutcome> {
  const rows = await db.query<{ r: ArchiveOutcome }>('select tt_archive_stream($1, $2, $3::timestamptz) as r', [c.tenantId, c.streamId, c.before]);
  return rows[0]!.r;
}

/**
 * Snapshots of an older state shape (its model's stateVersion moved on) are never loaded again: each
 * is dropped once older than RETENTION_SNAPSHOTS, so a rollback to the version that reads it still
 * finds it meanwhile. A stream keeps one snapshot row (each save replaces it), so "a newer one
 * exists" holds by construction for every other snapshot; the newest of the current shape stays.
 * One pass over the snapshots table: the job runs it hourly, bounded by `limit`.
 */
export async function dropStaleSnapshots(db: Db, current: { entityType: string; stateVersion: number }[], keepSeconds: number, limit: number): Promise<number> {
  const rows = await db.query<{ n: string }>(
    `with gone as (
       delete from snapshots where ctid = any (array(
         select s.ctid from snapshots s
           join unnest($1::text[], $2::int[]) m(entity_type, state_version) on split_part(s.stream_id, '-', 1) = m.entity_type
          where s.state_version < m.state_version and s.created_at < now() - make_interval(secs => $3)
          limit $4))
       returning 1)
     select count(*) as n from gone`,
    [current.map((m) => m.entityType), current.map((m) => m.stateVersion), keepSeconds, limit],
  );
  return Number(rows[0]!.n);
}
