// The stream routes in the contract: raw appends, reads, stream info and state, and late-upload
// batches, which record facts without the domain rules the commands apply.
import { MAX_EVENTS_PER_APPEND, MAX_EVENTS_PER_BATCH, readQuerySchema } from '../streams/schemas';
import { MiB } from './componentSchemas';
import { EVENT_EXAMPLES, EX, storedEventExample } from './examples';
import { header } from './headers';
import { ref } from './jsonSchema';
import { notModified, ok, operation, pathParam, queryParams } from './oas';
import { BODY_400, BODY_415, type Collector } from './problems';

const streamIdParam = pathParam('streamId', ref('StreamId'), 'the stream: `{entityType}-{entityId}`', `shipment-${EX.awb}`);

export function streamPaths(col: Collector) {
  const streamId = `shipment-${EX.awb}`;
  const storedExample = (over: Record<string, unknown> = {}) => storedEventExample('ShipmentStatusRecorded', EVENT_EXAMPLES.ShipmentStatusRecorded![1]!, over);
  const append = operation(col, {
    id: 'appendEvents',
    tag: 'Streams',
    summary: 'Append events to a stream',
    description: [
      'Stores the events together or not at all, at the end of the stream. Each event is checked against the catalog (`components.schemas["{type}.v{n}"]`): an unknown type, an event of another entity type, or `data` that does not match its schema is a 422 naming the field.',
      'Idempotent per event id: an id already stored is not stored again, and the same request again answers 200 with the original versions; the same id with other content is 409 `event_id_conflict`.',
      '`expectedVersion` (or `If-Match: "<n>"`) guards against concurrent writers: 409 `wrong_expected_version` with `currentVersion`.',
      `At most ${MAX_EVENTS_PER_APPEND} events and ${MiB} per request; 32 KiB of \`data\` and 4 KiB of \`metadata\` per event; \`occurredAt\` at most 5 minutes ahead and not before 2000.`,
      'Raw appends record facts: they skip the domain rules (`decide`), use the commands for those.',
    ].join(' '),
    scopes: ['tracking:write'],
    partner: 'refused',
    parameters: [streamIdParam, header('IfMatch'), header('XCorrelationId'), header('XSource')],
    body: {
      schema: ref('AppendRequest'),
      examples: {
        first: { summary: 'The first event of a new stream', value: { expectedVersion: 0, events: [{ id: EX.eventId, type: 'ShipmentStatusRecorded', occurredAt: '2026-11-22T05:14:00-05:00', location: 'LIM/WH2', data: { code: 'RCS', pieces: 3, weightKg: 120 } }] } },
        v1: { summary: 'A superseded schema version, stored as written', value: { events: [{ type: 'FlightStatusChanged', schemaVersion: 1, data: EVENT_EXAMPLES.FlightStatusChanged![1] }] } },
      },
    },
    responses: {
      '201': ok('Appended: the versions the events got, and their global positions.', ref('AppendResult'), { streamId, fromVersion: 1, toVersion: 1, positions: [48213] }, ['ETag', 'X-Correlation-Id']),
      '200': ok('Already stored (a retry): the original versions; nothing new was stored.', ref('AppendResult'), { streamId, fromVersion: 1, toVersion: 1, positions: [48213] }, ['ETag', 'X-Correlation-Id']),
    },
    problems: {
      400: [...BODY_400, 'invalid_stream_id', 'invalid_header', 'conflicting_expected_version'],
      409: ['wrong_expected_version', 'event_id_conflict'],
      410: ['stream_archived'],
      413: ['payload_too_large'],
      415: BODY_415,
      422: ['unknown_event_type', 'event_not_allowed_for_stream', 'unknown_schema_version', 'invalid_event_data', 'invalid_value', 'forbidden_key'],
      503: ['database_unavailable', 'stream_unavailable'],
    },
    notes: { 409: 'Nothing of the request was stored.', 503: 'Nothing was stored, or it was and a retry with the same event ids answers 200.' },
    problemHeaders: ['X-Correlation-Id?'],
  });
  const read = operation(col, {
    id: 'readStreamEvents',
    tag: 'Streams',
    summary: 'Read a stream',
    description: 'A page of events (at most 1,000) in version order, forward from `fromVersion` or backward from it; `next` is the URL of the following page. Events of superseded schema versions are shown upcast to the latest. `ETag: "<version>"` is the stream’s version: `If-None-Match` with it answers 304 while nothing was appended.',
    scopes: ['tracking:read'],
    partner: 'filtered',
    parameters: [
      streamIdParam,
      ...queryParams(readQuerySchema, { fromVersion: 'first version of the page (default: 1 forward, the last backward)', limit: 'events per page', direction: 'forward (oldest first) or backward (newest first)' }),
      header('IfNoneMatch'),
    ],
    responses: {
      '200': ok('A page of events', ref('StreamPage'), { streamId, version: 2, events: [storedExample()], next: `/v1/streams/${streamId}/events?limit=1&direction=forward&fromVersion=2` }, ['ETag', 'Cache-Control']),
      '304': notModified(),
    },
    problems: { 400: ['validation_failed', 'invalid_stream_id', 'invalid_header'], 404: ['stream_not_found'], 410: ['stream_archived'], 503: ['database_unavailable', 'stream_unavailable'] },
    problemHeaders: ['ETag?', 'Cache-Control?'],
  });
  const get = (id: string, summary: string, description: string, schema: string, example: unknown) =>
    operation(col, {
      id,
      tag: 'Streams',
      summary,
      description,
      scopes: ['tracking:read'],
      partner: 'filtered',
      parameters: [streamIdParam, header('IfNoneMatch')],
      responses: { '200': ok(summary, ref(schema), example, ['ETag', 'Cache-Control']), '304': notModified() },
      problems: { 400: ['validation_failed', 'invalid_stream_id', 'invalid_header'], 404: ['stream_not_found'], 410: ['stream_archived'], 503: ['database_unavailable', 'stream_unavailable'] },
      problemHeaders: ['ETag?', 'Cache-Control?'],
    });
  const batch = operation(col, {
    id: 'appendBatch',
    tag: 'Streams',
    summary: 'Append to many streams at once (late uploads)',
    description: [
      `Each item is what a single append takes plus its \`streamId\`; at most ${MAX_EVENTS_PER_BATCH} events in all and 5 MiB.`,
      'The answer is 200 with one result per item, in request order: `status` 201 or 200 with the versions, or the problem that item alone would have been (400, 409, 410, 422, 503).',
      'Items of one stream are applied in order; different streams concurrently. Retry the whole batch safely: stored items answer 200.',
    ].join(' '),
    scopes: ['tracking:write'],
    partner: 'refused',
    parameters: [header('XCorrelationId'), header('XSource')],
    body: {
      schema: ref('BatchRequest'),
      examples: {
        twoStreams: {
          summary: 'Two streams',
          value: {
            items: [
              { streamId, expectedVersion: 'any', events: [{ id: EX.eventId, type: 'ShipmentStatusRecorded', occurredAt: '2026-11-22T05:14:00-05:00', location: 'LIM/WH2', data: { code: 'RCS', pieces: 3, weightKg: 120 } }] },
              { streamId: `baggage-${EX.bagTag}`, events: [{ type: 'BagScanned', occurredAt: '2026-11-22T05:20:00-05:00', location: 'LIM', data: { point: 'Acceptance' } }] },
            ],
          },
        },
      },
    },
    responses: {
      '200': ok('One result per item', ref('BatchResult'), {
        items: [
          { streamId, status: 201, fromVersion: 1, toVersion: 1, positions: [48213] },
          { streamId: `baggage-${EX.bagTag}`, status: 409, type: 'https://tracktrace.dev/problems/wrong-expected-version', title: 'Conflict', detail: 'the stream is at version 4, which is not what the request expected', code: 'wrong_expected_version', requestId: EX.requestId, currentVersion: 4 },
        ],
      }, ['X-Correlation-Id']),
    },
    problems: { 400: [...BODY_400, 'invalid_header'], 413: ['payload_too_large', 'too_many_events'], 415: BODY_415, 422: ['forbidden_key'] },
    notes: { 400: 'The batch as a whole (not an array, empty, more than 500 items); a bad item is answered in its own result.' },
    problemHeaders: ['X-Correlation-Id?'],
  });
  return {
    '/v1/streams/{streamId}/events': { post: append, get: read },
    '/v1/streams/{streamId}': {
      get: get('getStream', 'Stream info', 'The stream’s entity type, version, and when it was created and last appended to.', 'StreamInfo', { streamId, entityType: 'shipment', version: 2, createdAt: EX.recordedAt, updatedAt: '2026-11-22T11:02:41.090Z' }),
    },
    '/v1/streams/{streamId}/state': {
      get: get(
        'getStreamState',
        'The decided state of the entity',
        'The state commands are decided against, its version, and how it was loaded: the snapshot it started from (`snapshotVersion`) and the events folded on top (`replayedEvents`).',
        'StreamState',
        { streamId, entityType: 'shipment', version: 2, snapshotVersion: null, replayedEvents: 2, state: { lastCode: 'DEP', piecesReceived: 3, piecesDelivered: 0, received: { LIM: 3 }, delivered: false } },
      ),
    },
    '/v1/events:batch': { post: batch },
  };
}
