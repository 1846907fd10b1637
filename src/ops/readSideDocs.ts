// The read side in the contract: read models (status, timeline, search, manifest, metrics), partner
// access, and the admin routes. Parameters come from the zod schemas the routes validate with; the
// answers are described by the schemas below (the routes build them in SQL, not from zod).
import { z, type ZodType } from 'zod';
import { flightIdSchema } from '../domain/ids';
import { ENTITY_TYPES } from '../domain/identifiers';
import { metricsQuerySchema } from '../projections/metrics/routes';
import { METRICS } from '../projections/metrics/samples';
import { entityParamSchema } from '../projections/params';
import { PROJECTION_NAMES } from '../projections/registry';
import { entitySearchSchema } from '../projections/status/routes';
import { timelineQuerySchema } from '../projections/timeline/routes';

/** What openapi.ts renders schemas and problems with. */
export type DocHelpers = {
  json: (schema: ZodType, io?: 'input' | 'output') => object;
  problems: (...codes: number[]) => object;
  queryParams: (schema: z.ZodObject) => object[];
  secured: object[];
};

export const SCOPES_DOC = [
  'Scopes (`scope`, space-separated, or `scp`, an array): `tracking:write` appends and sends commands; `tracking:read` reads streams and read models;',
  '`tracking:admin` sees the projection status and dead letters of its own tenant; `tracking:operator` sees them for the whole store, starts rebuilds and replays dead letters.',
].join(' ');

export const PARTNER_DOC = [
  'Partner tokens: a token whose `carriers` claim (AUTH_CARRIERS_CLAIM) lists airline codes, designators like `LA` and 3-digit prefixes like `045` (at most 50), is a partner token.',
  'It sees only entities tied to those codes, on every read route: the code is in the entity id (a flight LA2047-…, an air waybill 045-…, a bag tag 0045…, a ULD …LA),',
  'or the entity is linked to a flight of that airline (a shipment status, a bag itinerary or scan naming the flight), or it is loaded on such a flight (a ULD load).',
  'Any other entity is a 404, as if it did not exist, never a 403; searches list only such entities and metrics count only their samples. Stream reads (`/v1/streams/…`) follow the same rules.',
  'A partner token never writes (403 `partner_read_only`) and never reaches the admin routes (403). Without the claim a token sees its whole tenant.',
].join(' ');

const LAG = 'Read models follow the writes by a moment (applied from the events queue): what was written a moment ago may not be there yet.';
const READ = `Scope \`tracking:read\`. ${LAG}`;
const PARTNER_404 = 'A partner token sees it only when it is tied to one of its carriers; otherwise 404.';

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

export const readSideSchemas = (h: DocHelpers) => ({
  EntityStatus: h.json(entityStatusSchema),
  Timeline: h.json(timelinePageSchema),
  EntityPage: h.json(z.object({ items: z.array(entityStatusSchema), next })),
  FlightManifest: h.json(manifestSchema),
  OperationsMetrics: h.json(metricsSchema),
  ProjectionStatus: h.json(projectionStatusSchema),
  DeadLetter: h.json(deadLetterSchema),
});

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const ok = (description: string, schema: object) => ({ description, content: { 'application/json': { schema } } });

/** Path parameters from a route's zod object, with the descriptions its fields carry. */
const pathParams = (h: DocHelpers, shape: Record<string, ZodType>, descriptions: Record<string, string> = {}) =>
  Object.entries(shape).map(([name, s]) => ({ name, in: 'path', required: true, description: descriptions[name] ?? s.description, schema: h.json(s, 'input') }));

export function readSidePaths(h: DocHelpers) {
  const entityParams = pathParams(h, entityParamSchema.shape, {
    entityId: 'follows its type’s rule (a malformed id is a 400 naming the rule): flight LA2047-2026-11-22, shipment 045-12345675 (mod-7 check digit), baggage 0045123456, uld AKE12345LA, equipment TUG-07',
  });
  const admin = 'Scope `tracking:admin` (its own tenant’s figures) or `tracking:operator` (the whole store); partner tokens are refused (403).';
  return {
    '/v1/entities/{entityType}/{entityId}': {
      get: {
        summary: 'Current status of an entity (status read model)',
        description: `${READ} \`ETag: "<version>"\`; \`If-None-Match\` with it is a 304. ${PARTNER_404}`,
        security: h.secured,
        parameters: [...entityParams, { name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' } }],
        responses: { '200': ok('the entity as of `version`', ref('EntityStatus')), '304': { description: 'not modified since the ETag' }, ...h.problems(400, 401, 403, 404, 503) },
      },
    },
    '/v1/entities/{entityType}/{entityId}/timeline': {
      get: {
        summary: 'Timeline of an entity: every event in occurred order, who, where and when (cursor-paginated)',
        description: `${READ} 400 \`invalid_cursor\` for a cursor this API did not return. ${PARTNER_404}`,
        security: h.secured,
        parameters: [...entityParams, ...h.queryParams(timelineQuerySchema)],
        responses: { '200': ok('a page of the timeline', ref('Timeline')), ...h.problems(400, 401, 403, 404, 503) },
      },
    },
    '/v1/entities': {
      get: {
        summary: 'Search current status: by type, status, location, flight, updated-since (newest first, cursor-paginated)',
        description: [
          `${READ} Filters combine with AND. \`location\` with 3 letters is an airport; longer (LIM/WH2) matches that place and everything under it.`,
          '`updatedSince` compares with when an entity’s last event was recorded. Examples: bags mishandled at LIM since midnight',
          '`?type=baggage&status=Mishandled&location=LIM&updatedSince=2026-11-23T00:00:00-05:00`; shipments in LIM/WH2 not delivered `?type=shipment&location=LIM/WH2&statusNot=DLV`.',
          'A partner token finds only entities tied to its carriers.',
        ].join(' '),
        security: h.secured,
        parameters: h.queryParams(entitySearchSchema),
        responses: { '200': ok('a page of entities, most recently updated first', ref('EntityPage')), ...h.problems(400, 401, 403, 503) },
      },
    },
    '/v1/flights/{flightId}/manifest': {
      get: {
        summary: 'Flight manifest: the ULDs on a flight with their shipments and bags, and what is loaded loose',
        description: `${READ} Items are linked by ULD loads (an unload removes them), shipment statuses that name the flight, and Loaded bag scans. A partner token sees the manifests of its own airline’s flights (the designator in the flight id), everything on them; any other flight is a 404.`,
        security: h.secured,
        parameters: pathParams(h, { flightId: flightIdSchema }, { flightId: 'designator + number + the local departure date, LA2047-2026-11-22' }),
        responses: { '200': ok('the manifest', ref('FlightManifest')), ...h.problems(400, 401, 403, 404, 503) },
      },
    },
    '/v1/metrics/operations': {
      get: {
        summary: 'Operational metrics per hour or day: turnaround, delay, cargo dwell, bag acceptance-to-load, mishandled bags per 1,000',
        description: [
          `${READ} Durations in minutes with count, min, max, p50, p95: \`turnaround\` OnBlock→OffBlock, \`delay\` a flight’s delay minutes when it departs,`,
          '`cargo_dwell` RCS→DEP (exports) and RCF→DLV (imports), `bag_accept_to_load` Acceptance→first Loaded scan; `mishandled_per_1000` mishandled bags per 1,000 accepted.',
          'Range default: the 24 hours before `to` (default now); at most 1,000 buckets, `from` before `to` (else 400 `invalid_range`). A partner token counts only samples tied to its carriers.',
        ].join(' '),
        security: h.secured,
        parameters: h.queryParams(metricsQuerySchema),
        responses: { '200': ok('one entry per bucket with samples', ref('OperationsMetrics')), ...h.problems(400, 401, 403, 503) },
      },
    },
    '/v1/admin/projections': {
      get: {
        summary: 'Read models: generation, lag, outbox backlog, dead letters, rebuild progress',
        description: admin,
        security: h.secured,
        responses: { '200': ok('every read model', { type: 'object', properties: { items: { type: 'array', items: ref('ProjectionStatus') } }, required: ['items'] }), ...h.problems(401, 403, 503) },
      },
    },
    '/v1/admin/projections/{name}': {
      get: {
        summary: 'One read model’s status, and the progress of its rebuild',
        description: admin,
        security: h.secured,
        parameters: [{ name: 'name', in: 'path', required: true, description: 'an unknown name is a 400', schema: { type: 'string', enum: PROJECTION_NAMES } }],
        responses: { '200': ok('the read model', ref('ProjectionStatus')), ...h.problems(400, 401, 403, 503) },
      },
    },
    '/v1/admin/projections/{name}/rebuild': {
      post: {
        summary: 'Rebuild a read model without downtime',
        description: [
          'Scope `tracking:operator`. Builds a new generation (`<table>__next`) from the gapless global log, page by page through the rebuild queue, while live batches write both generations;',
          'when it has caught up the tables are swapped by rename in one transaction. Queries keep reading the current generation meanwhile.',
          'Follow it at `GET /v1/admin/projections/{name}` (the `Location` header). 409 `rebuild_in_progress` while one runs.',
        ].join(' '),
        security: h.secured,
        parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string', enum: PROJECTION_NAMES } }],
        responses: {
          '202': ok('started', { type: 'object', properties: { name: { type: 'string' }, generation: { type: 'integer' }, state: { const: 'rebuilding' }, status: { type: 'string', description: 'where to follow it' } } }),
          ...h.problems(400, 401, 403, 409, 503),
        },
      },
    },
    '/v1/admin/dead-letters': {
      get: {
        summary: 'Messages the projection consumer gave up on, kept in Postgres (newest first)',
        description: `${admin} A message lands here after its retries (the events queue’s dead-letter queue), or at once when it is malformed.`,
        security: h.secured,
        parameters: [
          { name: 'includeReplayed', in: 'query', required: false, schema: { type: 'string', enum: ['true', 'false'], default: 'false' } },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
        ],
        responses: { '200': ok('dead letters', { type: 'object', properties: { items: { type: 'array', items: ref('DeadLetter') } }, required: ['items'] }), ...h.problems(400, 401, 403, 503) },
      },
    },
    '/v1/admin/dead-letters/{id}/replay': {
      post: {
        summary: 'Send a dead letter again (to the queue it was meant for)',
        description: 'Scope `tracking:operator`. Applying is idempotent, so replaying a letter that was applied meanwhile changes nothing. Answers the letter with `replayedAt` and `replays` updated.',
        security: h.secured,
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }],
        responses: { '202': ok('sent again', ref('DeadLetter')), ...h.problems(400, 401, 403, 404, 503) },
      },
    },
  };
}
