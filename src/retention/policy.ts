// Retention policies: per tenant and entity type, how long a stream is kept after its last append
// (`retention_policies`, ISO 8601 durations); without a row the RETENTION_EVENTS default applies.
// Snapshots have one setting for the deployment (RETENTION_SNAPSHOTS).
import type { Db } from '../db/client';
import { isoMillis } from '../db/sqlTime';
import { ENTITY_TYPES, type EntityType } from '../domain/identifiers';
import { configuredDuration, parseDuration, type Duration } from './duration';
import { log } from '../ops/log';

export const DEFAULT_EVENTS = 'P365D';
export const DEFAULT_SNAPSHOTS = 'P30D';

export type Defaults = { events: Duration; snapshots: Duration };

export const retentionDefaults = (env: Env): Defaults => ({
  events: configuredDuration(env.RETENTION_EVENTS, DEFAULT_EVENTS, 'RETENTION_EVENTS'),
  snapshots: configuredDuration(env.RETENTION_SNAPSHOTS, DEFAULT_SNAPSHOTS, 'RETENTION_SNAPSHOTS'),
});

export type PolicyRow = { tenantId: string; entityType: EntityType; events: string; updatedAt: string; updatedBy: string | null };

type Row = { tenant_id: string; entity_type: EntityType; events_keep: string; updated_at: string; updated_by: string | null };
const view = (r: Row): PolicyRow => ({ tenantId: r.tenant_id, entityType: r.entity_type, events: r.events_keep, updatedAt: r.updated_at, updatedBy: r.updated_by });
const COLUMNS = `tenant_id, entity_type, events_keep, ${isoMillis('updated_at')} as updated_at, updated_by`;

/** The policy rows of one tenant, or of every tenant (null). */
export async function listPolicies(db: Db, tenantId: string | null): Promise<PolicyRow[]> {
  const rows = await db.query<Row>(
    `select ${COLUMNS} from retention_policies where $1::text is null or tenant_id = $1 order by tenant_id, entity_type`,
    [tenantId],
  );
  return rows.map(view);
}

/** Sets a tenant's policy for an entity type, or removes it (null: back to the default). */
export async function setPolicy(db: Db, tenantId: string, entityType: EntityType, events: string | null, by: string): Promise<void> {
  if (events === null) {
    await db.query('delete from retention_policies where tenant_id = $1 and entity_type = $2', [tenantId, entityType]);
    return;
  }
  await db.query(
    `insert into retention_policies (tenant_id, entity_type, events_keep, updated_by) values ($1, $2, $3, $4)
     on conflict (tenant_id, entity_type) do update set events_keep = excluded.events_keep, updated_at = now(), updated_by = excluded.updated_by`,
    [tenantId, entityType, events, by],
  );
}

/** What applies to a tenant's entity type: its own row, or the default. */
export type Effective = { tenantId: string; entityType: EntityType; events: string; source: 'tenant' | 'default'; updatedAt: string | null; updatedBy: string | null };

export function effective(defaults: Defaults, tenantId: string, entityType: EntityType, row: PolicyRow | undefined): Effective {
  return row
    ? { tenantId, entityType, events: row.events, source: 'tenant', updatedAt: row.updatedAt, updatedBy: row.updatedBy }
    : { tenantId, entityType, events: defaults.events.text, source: 'default', updatedAt: null, updatedBy: null };
}

/**
 * The policies as the job applies them: seconds per (tenant, entity type). A row that does not
 * parse (written by hand) keeps that tenant's streams of its type: null, never the default, which
 * might be shorter than what was meant.
 */
export async function policiesForJob(db: Db): Promise<{ tenantId: string; entityType: string; seconds: number | null }[]> {
  const rows = await db.query<{ tenant_id: string; entity_type: string; events_keep: string }>('select tenant_id, entity_type, events_keep from retention_policies', []);
  return rows.map((r) => {
    const d = parseDuration(r.events_keep);
    if (!d.ok) log(undefined, 'warn', 'retention: policy not applied, its streams are kept', { tenant: r.tenant_id, entityType: r.entity_type, error: d.message });
    return { tenantId: r.tenant_id, entityType: r.entity_type, seconds: d.ok ? d.seconds : null };
  });
}

export const isEntityType = (s: string): s is EntityType => (ENTITY_TYPES as readonly string[]).includes(s);
