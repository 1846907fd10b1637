// The event store's tables. Migrations in migrations/ are generated from this file by drizzle-kit;
// the append function (tt_append) is a custom migration next to them.
import { sql } from 'drizzle-orm';
import {
  bigint, customType, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid,
} from 'drizzle-orm/pg-core';

const xid8 = customType<{ data: string }>({ dataType: () => 'xid8' });

export const events = pgTable(
  'events',
  {
    globalPosition: bigint('global_position', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
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
    uniqueIndex('events_stream_version_uq').on(t.tenantId, t.streamId, t.version),
    uniqueIndex('events_event_id_uq').on(t.tenantId, t.eventId),
    index('events_global_order_idx').on(t.transactionId, t.globalPosition),
    index('events_type_time_idx').on(t.tenantId, t.eventType, t.occurredAt),
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
    // retention: null = keep forever; set by operations, never by appends
    retainUntil: timestamp('retain_until', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.streamId] })],
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
