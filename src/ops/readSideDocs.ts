// The read side in the contract: read models (status, timeline, search, manifest, metrics) and the
// admin routes. Parameters come from the zod schemas the routes validate with; the answers are
// described in readSideSchemas.ts.
import { flightIdSchema } from '../domain/ids';
import { metricsQuerySchema } from '../projections/metrics/routes';
import { entityParamSchema } from '../projections/params';
import { entitySearchSchema } from '../projections/status/routes';
import { timelineQuerySchema } from '../projections/timeline/routes';
import { adminPaths } from './adminPaths';
import { subscriptionPaths } from './subscriptionPaths';
import { EX } from './examples';
import { header } from './headers';
import { ENTITY_ID_PATTERN, ID_RULES, json, ref } from './jsonSchema';
import { notModified, ok, operation, type OpSpec, pathParam, queryParams } from './oas';
import type { Collector } from './problems';
import { entityExample } from './readSideSchemas';

const LAG = 'Read models follow the writes by a moment (applied from the events queue): what was written a moment ago may not be there yet (404 until it is).';

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
    ...subscriptionPaths(col),
    ...adminPaths(col),
  };
}
