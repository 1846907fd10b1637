// The event store's tables. Migrations in migrations/ are generated from this file by drizzle-kit;
// the append function (tt_append) is a custom migration next to them.
import { sql } from 'drizzle-orm';
import {
  bigint, customType, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid,
} from 'drizzle-orm/pg-core';

const xid8 = customType<{ data: string }>({ dataType: () => 'xid8' });

export const events = pgTable(
  'events',
  {
    globalPosition: bigint('global_position', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
    tenantId: text('tenant_id').notNull(),
    streamId: text('stream_id').notNull(),
    version: bigint('version', { mode: 'number' }).notNull(),
    eventId: uuid('event_id').notNull(),
    eventType: text('event_type').notNull(),
    schemaVersion: integer('schema_version').notNull(),
    data: jsonb('data').notNull(),
    metadata: jsonb('metadata').notNull().default({}),
    location: text('location'),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
    correlationId: uuid('correlation_id'),
    causationId: uuid('causation_id'),
    transactionId: xid8('transaction_id').notNull().default(sql`pg_current_xact_id()`),
  },
  (t) => [
    // the natural key is the primary key: one index fewer for every append (no query looks up a position)
    primaryKey({ name: 'events_pkey', columns: [t.tenantId, t.streamId, t.version] }),
    uniqueIndex('events_event_id_uq').on(t.tenantId, t.eventId),
    index('events_global_order_idx').on(t.transactionId, t.globalPosition),
    // no (tenant, type, time) index: the read models answer by type and time, and every append
    // paid for it (its plans even walked it on a young table: ../shared/PERF-NOTES.md)
  ],
);

export const streams = pgTable(
  'streams',
  {
    tenantId: text('tenant_id').notNull(),
    streamId: text('stream_id').notNull(),
    entityType: text('entity_type').notNull(),
    version: bigint('version', { mode: 'number' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    // a hold set by operations, never by appends: retention does not archive the stream before
    // this time (null: no hold, its tenant's policy applies; src/retention/)
    retainUntil: timestamp('retain_until', { withTimezone: true }),
    /** Set when retention moved the stream's events to events_archive: reads and appends answer 410. */
    archivedAt: timestamp('archived_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.streamId] }),
    // retention's candidates: on created_at, which appends never change, so the stream row's
    // update on every append stays a HOT update (an index on updated_at would cost every append)
    index('streams_retention_idx').on(t.tenantId, t.entityType, t.createdAt).where(sql`archived_at is null`),
  ],
);

/** Events of archived streams, moved by retention (src/retention/): every column as it was, and when. */
export const eventsArchive = pgTable(
  'events_archive',
  {
    globalPosition: bigint('global_position', { mode: 'number' }).notNull(),
    tenantId: text('tenant_id').notNull(),
    streamId: text('stream_id').notNull(),
    version: bigint('version', { mode: 'number' }).notNull(),
    eventId: uuid('event_id').notNull(),
    eventType: text('event_type').notNull(),
    schemaVersion: integer('schema_version').notNull(),
    data: jsonb('data').notNull(),
    metadata: jsonb('metadata').notNull(),
    location: text('location'),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
    correlationId: uuid('correlation_id'),
    causationId: uuid('causation_id'),
    transactionId: xid8('transaction_id').notNull(),
    archivedAt: timestamp('archived_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: 'events_archive_pkey', columns: [t.tenantId, t.streamId, t.version] })],
);

/** How long a tenant keeps the events of an entity type (ISO 8601 duration); no row: RETENTION_EVENTS. */
export const retentionPolicies = pgTable(
  'retention_policies',
  {
    tenantId: text('tenant_id').notNull(),
    entityType: text('entity_type').notNull(),
    eventsKeep: text('events_keep').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    updatedBy: text('updated_by'),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.entityType] })],
);

export const snapshots = pgTable(
  'snapshots',
  {
    tenantId: text('tenant_id').notNull(),
    streamId: text('stream_id').notNull(),
    version: bigint('version', { mode: 'number' }).notNull(),
    stateVersion: integer('state_version').notNull(),
    state: jsonb('state').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.streamId] })],
);

// ---- The read side (src/projections). Each read model's tables are swapped whole by a rebuild:
// a new generation is built as `<table>__next` and renamed into place (src/projections/generations.ts).

/** One row per commit group not yet applied by the projections; the consumer deletes it once applied. */
export const outbox = pgTable(
  'outbox',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: text('tenant_id').notNull(),
    streamId: text('stream_id').notNull(),
    fromVersion: bigint('from_version', { mode: 'number' }).notNull(),
    toVersion: bigint('to_version', { mode: 'number' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('outbox_stream_idx').on(t.tenantId, t.streamId, t.toVersion)],
);

export const projections = pgTable('projections', {
  name: text('name').primaryKey(),
  generation: integer('generation').notNull().default(1),
  rebuildGeneration: integer('rebuild_generation'),
  rebuildRegisteredXid: xid8('rebuild_registered_xid'),
  rebuildCheckpointTx: xid8('rebuild_checkpoint_tx'),
  rebuildCheckpointPos: bigint('rebuild_checkpoint_pos', { mode: 'number' }),
  rebuildApplied: bigint('rebuild_applied', { mode: 'number' }).notNull().default(0),
  rebuildTotal: bigint('rebuild_total', { mode: 'number' }),
  rebuildStartedAt: timestamp('rebuild_started_at', { withTimezone: true }),
  /** When the build last moved: a build that stops moving (its queue message lost) is resumed. */
  rebuildProgressAt: timestamp('rebuild_progress_at', { withTimezone: true }),
  lastRebuild: jsonb('last_rebuild'),
  lastAppliedAt: timestamp('last_applied_at', { withTimezone: true }),
  lastPosition: bigint('last_position', { mode: 'number' }),
});

export const deadLetters = pgTable(
  'dead_letters',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    messageId: text('message_id').notNull(),
    queue: text('queue').notNull(),
    tenantId: text('tenant_id'),
    body: jsonb('body').notNull(),
    attempts: integer('attempts').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    replayedAt: timestamp('replayed_at', { withTimezone: true }),
    replays: integer('replays').notNull().default(0),
  },
  (t) => [uniqueIndex('dead_letters_message_uq').on(t.messageId), index('dead_letters_tenant_idx').on(t.tenantId, t.id)],
);

/** Per read model: the version of each stream it has applied (and any per-stream state it folds). */
const applied = (name: string) =>
  pgTable(
    `rm_${name}_applied`,
    {
      tenantId: text('tenant_id').notNull(),
      streamId: text('stream_id').notNull(),
      version: bigint('version', { mode: 'number' }).notNull(),
      state: jsonb('state'),
    },
    (t) => [primaryKey({ columns: [t.tenantId, t.streamId] })],
  );
export const statusApplied = applied('status');
export const timelineApplied = applied('timeline');
export const manifestApplied = applied('manifest');
export const metricsApplied = applied('metrics');

export const rmStatus = pgTable(
  'rm_status',
  {
    tenantId: text('tenant_id').notNull(),
    streamId: text('stream_id').notNull(),
    entityType: text('entity_type').notNull(),
    entityId: text('entity_id').notNull(),
    status: text('status'),
    location: text('location'),
    airport: text('airport'),
    flight: text('flight'),
    uld: text('uld'),
    pieces: integer('pieces'),
    weightKg: doublePrecision('weight_kg'),
    carriers: text('carriers').array().notNull().default(sql`'{}'`),
    details: jsonb('details').notNull().default({}),
    lastEventType: text('last_event_type').notNull(),
    lastEventAt: timestamp('last_event_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    version: bigint('version', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.streamId] }),
    index('rm_status_type_status_idx').on(t.tenantId, t.entityType, t.status, t.updatedAt, t.streamId),
    index('rm_status_airport_idx').on(t.tenantId, t.airport, t.updatedAt, t.streamId),
    index('rm_status_flight_idx').on(t.tenantId, t.flight),
    index('rm_status_updated_idx').on(t.tenantId, t.updatedAt, t.streamId),
    // search by a place and everything under it (LIM/WH2 -> LIM/WH2/B-14): a prefix range
    index('rm_status_location_idx').on(t.tenantId, t.location.op('text_pattern_ops')),
  ],
);

export const rmTimeline = pgTable(
  'rm_timeline',
  {
    tenantId: text('tenant_id').notNull(),
    streamId: text('stream_id').notNull(),
    version: bigint('version', { mode: 'number' }).notNull(),
    position: bigint('position', { mode: 'number' }).notNull(),
    eventType: text('event_type').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
    localTime: text('local_time'),
    location: text('location'),
    actor: text('actor'),
    source: text('source'),
    description: text('description').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.streamId, t.version] }), index('rm_timeline_order_idx').on(t.tenantId, t.streamId, t.occurredAt, t.version)],
);

/** What is on a flight: ULDs, and shipments and bags (in a ULD or loose). */
export const rmManifest = pgTable(
  'rm_manifest',
  {
    tenantId: text('tenant_id').notNull(),
    flightId: text('flight_id').notNull(),
    carrier: text('carrier').notNull(),
    itemType: text('item_type').notNull(),
    itemId: text('item_id').notNull(),
    uldId: text('uld_id'),
    linkedBy: text('linked_by').notNull(),
    linkedAt: timestamp('linked_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.flightId, t.itemType, t.itemId] }),
    index('rm_manifest_item_idx').on(t.tenantId, t.itemType, t.itemId),
    index('rm_manifest_uld_idx').on(t.tenantId, t.uldId),
    // partner checks: what is loaded on a carrier's flights
    index('rm_manifest_carrier_idx').on(t.tenantId, t.carrier, t.itemType, t.itemId),
  ],
);

/** One sample per measured operation (a turnaround, a dwell, a delay…); buckets are computed on read. */
export const rmMetricSamples = pgTable(
  'rm_metric_samples',
  {
    tenantId: text('tenant_id').notNull(),
    streamId: text('stream_id').notNull(),
    version: bigint('version', { mode: 'number' }).notNull(),
    metric: text('metric').notNull(),
    airport: text('airport'),
    carriers: text('carriers').array().notNull().default(sql`'{}'`),
    at: timestamp('at', { withTimezone: true }).notNull(),
    value: doublePrecision('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.streamId, t.version, t.metric] }), index('rm_metric_samples_idx').on(t.tenantId, t.metric, t.at)],
);
