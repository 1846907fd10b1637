// Brings streams up to a target version in read-model generations, inside the caller's transaction.
// Idempotent per (read model, stream, version): each generation records the version it applied per
// stream, skips what it has, and reads any missing earlier versions from the store first, so
// duplicate and out-of-order deliveries change nothing.
import type { Db } from '../db/client';
import { isoMillis } from '../db/sqlTime';
import { parseStreamId } from '../domain/identifiers';
import { upcast } from '../domain/upcasters';
import { changeOf, type Change } from '../subscriptions/filters';
import { foldedRows } from './status/project';
import type { Projection, ProjectionEvent, StreamBatch } from './types';

export type Target = { tenantId: string; streamId: string; toVersion: number };
/** A read model's generation: `t` maps a base table name to the generation's physical table. */
export type Generation = { projection: Projection; t: (table: string) => string };

const keyOf = (tenantId: string, streamId: string) => `${tenantId}\n${streamId}`;

/** Merges targets per stream (the highest version wins). */
export function mergeTargets(targets: Target[]): Target[] {
  const by = new Map<string, Target>();
  for (const t of targets) {
    const k = keyOf(t.tenantId, t.streamId);
    const seen = by.get(k);
    if (!seen || seen.toVersion < t.toVersion) by.set(k, t);
  }
  return [...by.values()].sort((a, b) => (a.tenantId + a.streamId < b.tenantId + b.streamId ? -1 : 1)); // one lock order
}

/**
 * Applies every generation up to the targets. Returns the targets whose events are not (yet) in the
 * store: nothing of those streams was applied, and the caller retries them.
 */
export type TenantChange = { tenantId: string; change: Change };

export async function applyTargets(db: Db, gens: Generation[], targets: Target[]): Promise<{ events: number; missing: Target[]; changes: TenantChange[] }> {
  const wanted = mergeTargets(targets);
  const changes: TenantChange[] = []; // what the live status generation applied: for live subscriptions
  if (!wanted.length || !gens.length) return { events: 0, missing: [], changes };
  const tenants = wanted.map((t) => t.tenantId);
  const streams = wanted.map((t) => t.streamId);

  // what each generation has applied, locked for this transaction
  const appliedBy = await Promise.all(
    gens.map(async (g) => {
      const rows = await db.query<{ tenant_id: string; stream_id: string; version: string; state: unknown }>(
        `select a.tenant_id, a.stream_id, a.version, a.state from ${g.t(`rm_${g.projection.name}_applied`)} a
           join unnest($1::text[], $2::text[]) w(tenant_id, stream_id) using (tenant_id, stream_id)
          order by a.tenant_id, a.stream_id for update of a`,
        [tenants, streams],
      );
      return new Map(rows.map((r) => [keyOf(r.tenant_id, r.stream_id), { version: Number(r.version), state: r.state }]));
    }),
  );

  // read from the oldest version any generation lacks
  const needed = wanted
    .map((w) => ({ ...w, low: 1 + Math.min(...appliedBy.map((m) => m.get(keyOf(w.tenantId, w.streamId))?.version ?? 0)) }))
    .filter((w) => w.low <= w.toVersion);
  if (!needed.length) return { events: 0, missing: [], changes };
  const rows = await db.query<{
    tenant_id: string; stream_id: string; version: string; position: string; event_type: string; schema_version: number;
    data: Record<string, unknown>; location: string | null; occurred_at: string; recorded_at: string; actor: string | null; source: string | null;
  }>(
    `select e.tenant_id, e.stream_id, e.version, e.global_position as position, e.event_type, e.schema_version, e.data, e.location,
            ${isoMillis('e.occurred_at')} as occurred_at, ${isoMillis('e.recorded_at')} as recorded_at,
            e.metadata->>'actor' as actor, e.metadata->>'source' as source
       from unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) w(tenant_id, stream_id, lo, hi)
       join events e on e.tenant_id = w.tenant_id and e.stream_id = w.stream_id and e.version between w.lo and w.hi
      order by e.tenant_id, e.stream_id, e.version`,
    [needed.map((w) => w.tenantId), needed.map((w) => w.streamId), needed.map((w) => w.low), needed.map((w) => w.toVersion)],
  );

  const eventsBy = new Map<string, ProjectionEvent[]>();
  for (const r of rows) {
    const ref = parseStreamId(r.stream_id);
    if (!ref.ok) continue; // stream ids were checked on the way in
    const up = upcast(r.event_type, r.schema_version, r.data);
    const e: ProjectionEvent = {
      tenantId: r.tenant_id, streamId: r.stream_id, entityType: ref.ref.entityType, entityId: ref.ref.entityId,
      version: Number(r.version), position: Number(r.position), type: r.event_type, data: up.data as Record<string, any>,
      location: r.location, occurredAt: r.occurred_at, recordedAt: r.recorded_at, actor: r.actor, source: r.source,
    };
    const k = keyOf(e.tenantId, e.streamId);
    (eventsBy.get(k) ?? eventsBy.set(k, []).get(k)!).push(e);
  }

  // a stream whose versions are not all there yet (or never will be) is left for a retry
  const missing: Target[] = [];
  const complete = needed.filter((w) => {
    const evs = eventsBy.get(keyOf(w.tenantId, w.streamId)) ?? [];
    const ok = evs.length > 0 && evs[evs.length - 1]!.version === w.toVersion && evs.every((e, i) => i === 0 || e.version === evs[i - 1]!.version + 1);
    if (!ok) missing.push({ tenantId: w.tenantId, streamId: w.streamId, toVersion: w.toVersion });
    return ok;
  });

  let applied = 0;
  for (const [gi, g] of gens.entries()) {
    const batch: StreamBatch[] = [];
    for (const w of complete) {
      const k = keyOf(w.tenantId, w.streamId);
      const have = appliedBy[gi]!.get(k);
      const events = eventsBy.get(k)!.filter((e) => e.version > (have?.version ?? 0));
      if (!events.length) continue;
      if (events[0]!.version !== (have?.version ?? 0) + 1) throw new Error(`gap in ${w.streamId} for ${g.projection.name}`);
      batch.push({ tenantId: w.tenantId, streamId: w.streamId, entityType: events[0]!.entityType, entityId: events[0]!.entityId, state: have?.state ?? null, events });
      applied += events.length;
    }
    if (!batch.length) continue;
    await g.projection.apply(db, g.t, batch);
    if (g.projection.name === 'status' && g.t('rm_status') === 'rm_status') {
      for (const b of batch) b.events.forEach((e, i) => changes.push({ tenantId: b.tenantId, change: changeOf(e, foldedRows.get(b)![i]!) }));
    }
    await db.query(
      `insert into ${g.t(`rm_${g.projection.name}_applied`)} (tenant_id, stream_id, version, state)
       select tenant_id, stream_id, version, state from jsonb_to_recordset($1::jsonb) as x(tenant_id text, stream_id text, version bigint, state jsonb)
       on conflict (tenant_id, stream_id) do update set version = excluded.version, state = excluded.state`,
      [JSON.stringify(batch.map((b) => ({ tenant_id: b.tenantId, stream_id: b.streamId, version: b.events[b.events.length - 1]!.version, state: b.state ?? null })))],
    );
  }
  changes.sort((a, b) => a.change.position - b.change.position);
  return { events: applied, missing, changes };
}
