// The read side's answers in the contract. The routes build them in SQL, not from zod, so these
// schemas describe them, and the conformance test (test/conformance.int.test.ts) holds them to
// what the routes really answer.
import { z } from 'zod';
import { ENTITY_TYPES } from '../domain/identifiers';
import { METRICS } from '../projections/metrics/samples';
import { PROJECTION_NAMES } from '../projections/registry';
import { EX } from './examples';
import { json, ref } from './jsonSchema';

const iso = z.iso.datetime();
const nullableString = (description: string) => z.string().nullable().meta({ description });

const entityStatusSchema = z.object({
  entityType: z.enum(ENTITY_TYPES),
  entityId: z.string(),
  streamId: z.string(),
  status: nullableString(
    'flight: Scheduled, CheckInOpen, Boarding, Delayed, Departed, …; shipment: the last Cargo-IMP code (RCS, FOH, DEP, NFD, DLV, …); baggage: Issued, the last R753 point, or Mishandled; uld: Loaded, Unloaded, Unserviceable, Serviceable; equipment: Assigned, Available, Faulty',
  ),
  location: nullableString('where the last event that named a place happened (LIM/WH2/B-14)'),
  airport: nullableString('the IATA airport of `location`'),
  flight: nullableString('the flight it is linked to now'),
  uld: nullableString('the ULD a shipment or bag event named'),
  pieces: z.int().nullable(),
  weightKg: z.number().nullable(),
  carriers: z.array(z.string()).meta({ description: "airline codes it is tied to (its own and its flights'): what partner tokens are matched against" }),
  details: z.record(z.string(), z.unknown()).meta({
    description: 'per type: a flight’s origin, destination, scheduledDeparture/Arrival, delayMinutes, reason, milestones, lastMilestone; a shipment’s piecesReceived, piecesDelivered, discrepancy; a bag’s itinerary, mishandled (reason), report; a ULD’s shipments, bags, serviceable; equipment’s task, fault',
  }),
  lastEvent: z.object({ type: z.string(), occurredAt: iso }),
  updatedAt: iso.meta({ description: 'when its last event was recorded (server time): what `updatedSince` compares with' }),
  version: z.int().meta({ description: 'the stream version this row reflects (also the ETag)' }),
});

const next = z.string().nullable().meta({ description: 'pass as `cursor` for the next page; null on the last page' });

const timelinePageSchema = z.object({
  entityType: z.enum(ENTITY_TYPES),
  entityId: z.string(),
  items: z.array(
    z.object({
      version: z.int(),
      type: z.string(),
      occurredAt: iso,
      localTime: nullableString('the site clock, `2026-11-23 07:15 -05:00`, in the time zone of the event’s airport; null without a location'),
      recordedAt: iso,
      location: z.string().nullable(),
      actor: nullableString('the token subject that wrote it'),
      source: nullableString('the X-Source header it was written with'),
      description: z.string().meta({ description: 'one human-readable line' }),
    }),
  ).meta({ description: 'in occurred order (then version): a late upload takes its place in time' }),
  next,
});

const manifestItem = z.object({ id: z.string(), status: z.string().nullable(), pieces: z.int().nullable(), weightKg: z.number().nullable(), location: z.string().nullable() });
const manifestSchema = z.object({
  flightId: z.string(),
  flight: z.object({ status: z.string().nullable() }).catchall(z.unknown()).nullable()
    .meta({ description: 'the flight’s status and details (origin, destination, schedule, delayMinutes, milestones); null when only items name the flight' }),
  ulds: z.array(manifestItem.extend({ shipments: z.array(manifestItem), bags: z.array(manifestItem) })).meta({ description: 'the ULDs loaded for the flight with what each holds' }),
  loose: z.object({ shipments: z.array(manifestItem), bags: z.array(manifestItem) }).meta({ description: 'linked to the flight (a shipment status, a Loaded bag scan) but in no ULD' }),
  totals: z.object({ ulds: z.int(), shipments: z.int(), bags: z.int(), pieces: z.int(), weightKg: z.number() }).meta({ description: 'pieces and weight are the shipments’' }),
});

const metricsSchema = z.object({
  metric: z.enum(METRICS),
  unit: z.string().meta({ description: '`minutes`, or `mishandled bags per 1,000 accepted`' }),
  location: z.string().nullable(),
  from: iso,
  to: iso,
  bucket: z.enum(['hour', 'day']),
  buckets: z.array(
    z.union([
      z.object({ start: iso, count: z.int(), min: z.number().nullable(), max: z.number().nullable(), p50: z.number().nullable(), p95: z.number().nullable() })
        .meta({ description: 'a duration metric: samples and their spread in minutes (2 decimals)' }),
      z.object({ start: iso, count: z.int().meta({ description: 'bags mishandled' }), accepted: z.int(), value: z.number().nullable().meta({ description: 'per 1,000 accepted; null when none were accepted' }) })
        .meta({ description: 'mishandled_per_1000' }),
    ]),
  ).meta({ description: 'UTC buckets that have samples, oldest first; a sample counts in the bucket of the event that ends its operation (OffBlock, Departed, DEP/DLV, Loaded; for the rate the Acceptance scan and the mishandling report)' }),
});

const projectionStatusSchema = z.object({
  name: z.enum(PROJECTION_NAMES as [string, ...string[]]),
  generation: z.int().meta({ description: 'the generation queries read' }),
  state: z.enum(['live', 'rebuilding']),
  lastAppliedAt: iso.nullable(),
  lag: z.object({ events: z.int(), streams: z.int(), seconds: z.number() }).meta({ description: 'committed events not applied yet, the streams they are in, and the age of the oldest' }),
  backlog: z.object({ outboxCommits: z.int(), oldestSeconds: z.number() }).meta({ description: 'outbox rows (commits) not applied yet; the sweep applies those whose message never came' }),
  deadLetters: z.int().meta({ description: 'not replayed yet' }),
  oldestOpenTransactionSeconds: z.number().meta({ description: 'a rebuild reads the global log only behind the oldest open transaction' }),
  rebuild: z.object({
    generation: z.int(),
    startedAt: iso,
    checkpoint: z.object({ transactionId: z.string(), position: z.int() }).meta({ description: 'the last (transaction id, global position) applied to the new generation' }),
    events: z.int(),
    totalEvents: z.int(),
    progress: z.number().min(0).max(1),
  }).nullable().meta({ description: 'the generation being built, while one is' }),
  lastRebuild: z.object({ generation: z.int(), events: z.int(), startedAt: z.string(), finishedAt: z.string(), seconds: z.number() }).nullable(),
  tenant: z.string().optional().meta({ description: 'for a tenant admin: lag, backlog and dead letters are its tenant’s' }),
});

const deadLetterSchema = z.object({
  id: z.int(),
  messageId: z.string(),
  queue: z.string().meta({ description: 'the queue it was meant for: tracktrace-events or tracktrace-rebuild' }),
  tenantId: z.string().nullable(),
  body: z.unknown().meta({ description: 'the message as sent: `{tenantId, streamId, fromVersion, toVersion}` or `{projection, generation}`' }),
  attempts: z.int(),
  receivedAt: iso,
  replayedAt: iso.nullable(),
  replays: z.int(),
});

export const readSideSchemas = () => ({
  EntityStatus: { ...json(entityStatusSchema), examples: [entityExample] },
  Timeline: json(timelinePageSchema),
  EntityPage: json(z.object({ items: z.array(entityStatusSchema), next })),
  FlightManifest: json(manifestSchema),
  OperationsMetrics: json(metricsSchema),
  ProjectionStatus: json(projectionStatusSchema),
  ProjectionList: { type: 'object', required: ['items'], additionalProperties: false, properties: { items: { type: 'array', items: ref('ProjectionStatus') } } },
  RebuildStarted: json(rebuildStartedSchema),
  DeadLetter: json(deadLetterSchema),
  DeadLetterList: { type: 'object', required: ['items'], additionalProperties: false, properties: { items: { type: 'array', items: ref('DeadLetter') } } },
});

const rebuildStartedSchema = z.object({
  name: z.enum(PROJECTION_NAMES as [string, ...string[]]),
  generation: z.int().meta({ description: 'the generation being built' }),
  state: z.literal('rebuilding'),
  status: z.string().meta({ description: 'where to follow it (also the `Location` header)' }),
});

export const entityExample = {
  entityType: 'shipment', entityId: EX.awb, streamId: `shipment-${EX.awb}`, status: 'DEP', location: 'LIM/WH2', airport: 'LIM', flight: EX.flightId, uld: EX.uldId,
  pieces: 3, weightKg: 120, carriers: ['045', 'LA'], details: { piecesReceived: 3, piecesDelivered: 0 },
  lastEvent: { type: 'ShipmentStatusRecorded', occurredAt: EX.at }, updatedAt: EX.recordedAt, version: 4,
};

export const projectionExample = {
  name: 'status', generation: 2, state: 'live', lastAppliedAt: EX.recordedAt,
  lag: { events: 0, streams: 0, seconds: 0 }, backlog: { outboxCommits: 0, oldestSeconds: 0 }, deadLetters: 0, oldestOpenTransactionSeconds: 0.012,
  rebuild: null,
  lastRebuild: { generation: 2, events: 524, startedAt: '2026-11-22T09:58:10.120Z', finishedAt: '2026-11-22T09:58:10.870Z', seconds: 0.75 },
};

export const deadLetterExample = {
  id: 1, messageId: 'a41c3b0e5d6f4e21b0f7c2d9e8a1b3c4', queue: 'tracktrace-events', tenantId: 'lim-handling',
  body: { tenantId: 'lim-handling', streamId: `shipment-${EX.awb}`, fromVersion: 3, toVersion: 3 }, attempts: 6,
  receivedAt: EX.recordedAt, replayedAt: null, replays: 0,
};
