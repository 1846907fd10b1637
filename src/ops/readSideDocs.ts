// The read side in the contract: read models (status, timeline, search, manifest, metrics) and the
// admin routes. Parameters come from the zod schemas the routes validate with; the answers are
// described by the schemas below (the routes build them in SQL, not from zod), and the conformance
// test (test/conformance.int.test.ts) holds them to what the routes really answer.
import { z } from 'zod';
import { nameSchema as projectionNameSchema } from '../admin/projections';
import { flightIdSchema } from '../domain/ids';
import { ENTITY_TYPES } from '../domain/identifiers';
import { metricsQuerySchema } from '../projections/metrics/routes';
import { METRICS } from '../projections/metrics/samples';
import { entityParamSchema } from '../projections/params';
import { PROJECTION_NAMES } from '../projections/registry';
import { entitySearchSchema } from '../projections/status/routes';
import { timelineQuerySchema } from '../projections/timeline/routes';
import { EX } from './examples';
import { type Collector, ENTITY_ID_PATTERN, header, ID_RULES, json, notModified, ok, operation, type OpSpec, pathParam, queryParams, ref } from './oas';

const LAG = 'Read models follow the writes by a moment (applied from the events queue): what was written a moment ago may not be there yet (404 until it is).';

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

const entityExample = {
  entityType: 'shipment', entityId: EX.awb, streamId: `shipment-${EX.awb}`, status: 'DEP', location: 'LIM/WH2', airport: 'LIM', flight: EX.flightId, uld: EX.uldId,
  pieces: 3, weightKg: 120, carriers: ['045', 'LA'], details: { piecesReceived: 3, piecesDelivered: 0 },
  lastEvent: { type: 'ShipmentStatusRecorded', occurredAt: EX.at }, updatedAt: EX.recordedAt, version: 4,
};

const projectionExample = {
  name: 'status', generation: 2, state: 'live', lastAppliedAt: EX.recordedAt,
  lag: { events: 0, streams: 0, seconds: 0 }, backlog: { outboxCommits: 0, oldestSeconds: 0 }, deadLetters: 0, oldestOpenTransactionSeconds: 0.012,
  rebuild: null,
  lastRebuild: { generation: 2, events: 524, startedAt: '2026-11-22T09:58:10.120Z', finishedAt: '2026-11-22T09:58:10.870Z', seconds: 0.75 },
};

const deadLetterExample = {
  id: 1, messageId: 'a41c3b0e5d6f4e21b0f7c2d9e8a1b3c4', queue: 'tracktrace-events', tenantId: 'lim-handling',
  body: { tenantId: 'lim-handling', streamId: `shipment-${EX.awb}`, fromVersion: 3, toVersion: 3 }, attempts: 6,
  receivedAt: EX.recordedAt, replayedAt: null, replays: 0,
};

/** Path parameters from a route's zod object, with the descriptions its fields carry. */
const pathParams = (shape: Record<string, Parameters<typeof json>[0]>, descriptions: Record<string, string>, examples: Record<string, string>) =>
  Object.entries(shape).map(([name, s]) => pathParam(name, json(s, 'input'), descriptions[name] ?? s.description ?? name, examples[name]!));

export function readSidePaths(col: Collector) {
  const entityParams = pathParams(
    entityParamSchema.shape as Record<string, Parameters<typeof json>[0]>,
    {
      entityType: 'flight, shipment, baggage, uld or equipment',
      entityId: `follows its type’s rule (a malformed id is a 400 naming the rule): ${Object.entries(ID_RULES).map(([t, r]) => `${t}: ${r}`).join('; ')}`,
    },
    { entityType: 'shipment', entityId: EX.awb },
  ).map((p) => (p.name === 'entityId' ? { ...p, schema: { ...p.schema, pattern: ENTITY_ID_PATTERN } } : p));
  const READ_400 = ['validation_failed'];
  const DB = ['database_unavailable'];
  const admin = 'Tenant admins see the lag, backlog and dead letters of their own tenant; operators see the whole store.';
  const read = (spec: Omit<OpSpec, 'tag' | 'scopes' | 'partner'>) => operation(col, { tag: 'Read models', scopes: ['tracking:read'], partner: 'filtered', ...spec });
  return {
    '/v1/entities/{entityType}/{entityId}': {
      get: read({
        id: 'getEntityStatus',
        summary: 'Current status of an entity',
        description: `The status read model: status, location, linked flight and ULD, pieces and weight, the airline codes it is tied to, per-type \`details\`, the last event and \`version\`, also the ETag (\`If-None-Match\` with it answers 304). ${LAG}`,
        parameters: [...entityParams, header('IfNoneMatch')],
        responses: { '200': ok('The entity as of `version`', ref('EntityStatus'), entityExample, ['ETag', 'Cache-Control']), '304': notModified() },
        problems: { 400: [...READ_400, 'invalid_header'], 404: ['not_found'], 503: DB },
        problemHeaders: ['ETag?', 'Cache-Control?'],
      }),
    },
    '/v1/entities/{entityType}/{entityId}/timeline': {
      get: read({
        id: 'getEntityTimeline',
        summary: 'Timeline of an entity',
        description: `Every event in the order it happened (a late upload takes its place in time), with who, where, the site’s local time and a readable line; cursor-paginated (pass \`next\` back as \`cursor\`). ${LAG}`,
        parameters: [...entityParams, ...queryParams(timelineQuerySchema, { cursor: '`next` of the previous page', limit: 'items per page' })],
        responses: {
          '200': ok('A page of the timeline', ref('Timeline'), {
            entityType: 'shipment', entityId: EX.awb,
            items: [{ version: 1, type: 'ShipmentStatusRecorded', occurredAt: EX.at, localTime: '2026-11-22 05:15 -05:00', recordedAt: EX.recordedAt, location: 'LIM/WH2', actor: 'scanner-7', source: 'wh2-handheld-14', description: 'RCS: 3 pieces, 120 kg received at LIM/WH2' }],
            next: null,
          }),
        },
        problems: { 400: [...READ_400, 'invalid_cursor'], 404: ['not_found'], 503: DB },
      }),
    },
    '/v1/entities': {
      get: read({
        id: 'searchEntities',
        summary: 'Search current status',
        description: [
          'By type, status, location, flight and updated-since, newest update first, cursor-paginated. Filters combine with AND. `location` with 3 letters is an airport; longer (LIM/WH2) matches that place and everything under it.',
          '`updatedSince` compares with when an entity’s last event was recorded. Examples: bags mishandled at LIM since midnight',
          '`?type=baggage&status=Mishandled&location=LIM&updatedSince=2026-11-23T00:00:00-05:00`; shipments in LIM/WH2 not delivered `?type=shipment&location=LIM/WH2&statusNot=DLV`.',
          LAG,
        ].join(' '),
        parameters: queryParams(entitySearchSchema, { type: 'entity type', flight: 'linked to this flight', updatedSince: 'last event recorded at or after', cursor: '`next` of the previous page', limit: 'items per page' }),
        responses: { '200': ok('A page of entities, most recently updated first', ref('EntityPage'), { items: [entityExample], next: null }) },
        problems: { 400: [...READ_400, 'invalid_cursor'], 503: DB },
      }),
    },
    '/v1/flights/{flightId}/manifest': {
      get: read({
        id: 'getFlightManifest',
        summary: 'Flight manifest',
        description: `The ULDs loaded for a flight with the shipments and bags in each, what is linked to it loose, and totals. Items are linked by ULD loads (an unload removes them), shipment statuses that name the flight, and Loaded bag scans. A partner token sees the manifests of its own airline’s flights (the designator in the flight id), everything on them. ${LAG}`,
        parameters: [pathParam('flightId', json(flightIdSchema, 'input'), ID_RULES.flight, EX.flightId)],
        responses: {
          '200': ok('The manifest', ref('FlightManifest'), {
            flightId: EX.flightId, flight: { status: 'Boarding', origin: 'LIM', destination: 'SCL' },
            ulds: [{ id: EX.uldId, status: 'Loaded', pieces: null, weightKg: null, location: 'LIM/STAND/12', shipments: [{ id: EX.awb, status: 'MAN', pieces: 3, weightKg: 120, location: 'LIM/WH2' }], bags: [] }],
            loose: { shipments: [], bags: [{ id: EX.bagTag, status: 'Loaded', pieces: null, weightKg: null, location: 'LIM/STAND/12' }] },
            totals: { ulds: 1, shipments: 1, bags: 1, pieces: 3, weightKg: 120 },
          }),
        },
        problems: { 400: READ_400, 404: ['not_found'], 503: DB },
      }),
    },
    '/v1/metrics/operations': {
      get: read({
        id: 'getOperationsMetrics',
        summary: 'Operational metrics per hour or day',
        description: [
          'Durations in minutes with count, min, max, p50, p95: `turnaround` OnBlock→OffBlock, `delay` a flight’s delay minutes when it departs,',
          '`cargo_dwell` RCS→DEP (exports) and RCF→DLV (imports), `bag_accept_to_load` Acceptance→first Loaded scan; `mishandled_per_1000` mishandled bags per 1,000 accepted.',
          'Range default: the 24 hours before `to` (default now); at most 1,000 buckets, `from` before `to` (else 400 `invalid_range`). A partner token counts only samples tied to its carriers.',
        ].join(' '),
        parameters: queryParams(metricsQuerySchema, { metric: 'which metric', location: 'an IATA airport', bucket: 'UTC hour or day' }),
        responses: {
          '200': ok('One entry per bucket with samples', ref('OperationsMetrics'), {
            metric: 'turnaround', unit: 'minutes', location: 'LIM', from: '2026-11-21T10:15:00.000Z', to: EX.at, bucket: 'hour',
            buckets: [{ start: '2026-11-22T09:00:00.000Z', count: 4, min: 90, max: 125, p50: 100, p95: 122.75 }],
          }),
        },
        problems: { 400: [...READ_400, 'invalid_range'], 503: DB },
      }),
    },
    '/v1/admin/projections': {
      get: operation(col, {
        id: 'listProjections', tag: 'Admin', scopes: ['tracking:admin', 'tracking:operator'], partner: 'refused',
        summary: 'Read models: generation, lag, outbox backlog, dead letters, rebuild progress',
        description: admin,
        responses: { '200': ok('Every read model', ref('ProjectionList'), { items: [projectionExample] }) },
        problems: { 503: DB },
      }),
    },
    '/v1/admin/projections/{name}': {
      get: operation(col, {
        id: 'getProjection', tag: 'Admin', scopes: ['tracking:admin', 'tracking:operator'], partner: 'refused',
        summary: 'One read model, and the progress of its rebuild',
        description: `${admin} While a rebuild runs, \`rebuild\` shows its checkpoint and progress; afterwards \`lastRebuild\`.`,
        parameters: [pathParam('name', json(projectionNameSchema.shape.name, 'input'), 'the read model (another name is a 400)', 'status')],
        responses: { '200': ok('The read model', ref('ProjectionStatus'), projectionExample) },
        problems: { 400: READ_400, 503: DB },
      }),
    },
    '/v1/admin/projections/{name}/rebuild': {
      post: operation(col, {
        id: 'rebuildProjection', tag: 'Admin', scopes: ['tracking:operator'], partner: 'refused',
        summary: 'Rebuild a read model without downtime',
        description: [
          'Builds a new generation (`<table>__next`) from the gapless global log, page by page through the rebuild queue, while live batches write both generations;',
          'when it has caught up the tables are swapped by rename in one transaction. Queries keep reading the current generation meanwhile.',
          'Follow it at `GET /v1/admin/projections/{name}` (the `Location` header).',
        ].join(' '),
        parameters: [pathParam('name', json(projectionNameSchema.shape.name, 'input'), 'the read model (another name is a 400)', 'status')],
        responses: { '202': ok('Started', ref('RebuildStarted'), { name: 'status', generation: 3, state: 'rebuilding', status: '/v1/admin/projections/status' }, ['Location']) },
        problems: { 400: READ_400, 409: ['rebuild_in_progress', 'unknown_projection'], 503: DB },
      }),
    },
    '/v1/admin/dead-letters': {
      get: operation(col, {
        id: 'listDeadLetters', tag: 'Admin', scopes: ['tracking:admin', 'tracking:operator'], partner: 'refused',
        summary: 'Messages the projections gave up on (newest first)',
        description: `${admin} A message lands here after its retries (the events queue’s dead-letter queue), or at once when it is malformed; unreplayed ones only unless \`includeReplayed=true\`.`,
        parameters: [
          { name: 'includeReplayed', in: 'query', required: false, description: 'list replayed letters too', schema: { type: 'string', enum: ['true', 'false'], default: 'false' } },
          { name: 'limit', in: 'query', required: false, description: 'letters per answer', schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
        ],
        responses: { '200': ok('Dead letters', ref('DeadLetterList'), { items: [deadLetterExample] }) },
        problems: { 400: READ_400, 503: DB },
      }),
    },
    '/v1/admin/dead-letters/{id}/replay': {
      post: operation(col, {
        id: 'replayDeadLetter', tag: 'Admin', scopes: ['tracking:operator'], partner: 'refused',
        summary: 'Send a dead letter again',
        description: 'To the queue it was meant for. Applying is idempotent, so replaying a letter that was applied meanwhile changes nothing. Answers the letter with `replayedAt` and `replays` updated.',
        parameters: [pathParam('id', { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER }, 'the dead letter', 1)],
        responses: { '202': ok('Sent again', ref('DeadLetter'), { ...deadLetterExample, replayedAt: '2026-11-22T11:30:00.000Z', replays: 1 }) },
        problems: { 400: READ_400, 404: ['not_found'], 503: DB },
      }),
    },
  };
}
