// OpenAPI 3.1 from the same zod schemas the routes validate with (zod 4's JSON Schema converter),
// the error catalogue (errors.ts) and the event catalog (src/domain). Served at /openapi.json and
// rendered at /docs by Scalar, whose script the Worker serves itself.
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { CATALOG } from '../domain/catalog';
import { MODELS } from '../domain/entities';
import { ENTITY_TYPES, type EntityType } from '../domain/identifiers';
import { commandEnvelopeSchema } from '../streams/commands';
import {
  appendBodySchema, appendResultSchema, batchBodySchema, batchItemSchema, commandResultSchema, MAX_EVENTS_PER_APPEND, MAX_EVENTS_PER_BATCH,
  newEventSchema, readQuerySchema, readResultSchema, storedEventSchema, streamIdSchema, streamInfoSchema, streamStateSchema,
} from '../streams/schemas';
import { docsPage } from './docsPage';
import { COMMAND_RULES, ERROR_CODES } from './errors';
import { COMMAND_EXAMPLES, ENTITY_EXAMPLES, EVENT_EXAMPLES, EX, metadataExample, storedEventExample } from './examples';
import { guide, TAGS } from './guide';
import {
  Collector, header, headerComponents, ID_PATTERNS, ID_RULES, json, notModified, ok, operation, pathParam, queryParams, ref, REQUEST_HEADERS, responseHeaders,
  SECURITY_SCHEMES,
} from './oas';
import { readSidePaths, readSideSchemas } from './readSideDocs';

const MiB = '1 MiB';
const COLLECTION_PARAM: Record<EntityType, string> = { flight: 'flightId', shipment: 'awb', baggage: 'tag', uld: 'uldId', equipment: 'equipmentTag' };
const TAG_OF: Record<EntityType, string> = { flight: 'Flights', shipment: 'Shipments', baggage: 'Baggage', uld: 'ULDs', equipment: 'Equipment' };
const lowerFirst = (s: string) => s[0]!.toLowerCase() + s.slice(1);

// ---------------------------------------------------------------------------------------------
// Schemas

const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details, as every error is answered (`application/problem+json`). `code` is from the closed catalogue below; the other optional fields come with the codes that carry them.',
  required: ['type', 'title', 'status', 'detail', 'code', 'requestId'],
  additionalProperties: false,
  properties: {
    type: { type: 'string', format: 'uri', description: '`https://tracktrace.dev/problems/{code with dashes}`' },
    title: { type: 'string', description: 'the HTTP status text' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string', description: 'what went wrong, for people' },
    code: { type: 'string', enum: ERROR_CODES, description: 'what went wrong, for programs: see the error catalogue' },
    requestId: { type: 'string', description: 'the `X-Request-Id` of the request' },
    errors: {
      type: 'array',
      description: 'validation_failed and the 422 catalog codes: every failing field',
      items: {
        type: 'object', additionalProperties: false, required: ['path', 'message'],
        properties: { path: { type: 'string', description: 'dotted path into the request, `(root)` for the whole' }, message: { type: 'string' } },
      },
    },
    rule: { type: 'string', description: 'the identifier rule (invalid_stream_id, invalid_entity_id) or business rule (command 409s) that was broken' },
    currentVersion: { type: 'integer', minimum: 0, description: 'wrong_expected_version and event_id_conflict: the version the stream is at' },
    eventIds: { type: 'array', items: { type: 'string', format: 'uuid' }, description: 'event_id_conflict: the ids stored with other content or on another stream' },
    missing: { type: 'array', items: { type: 'string' }, description: 'uld_load_unknown_items: the stream ids that do not exist' },
  },
};

const eventComponent = (type: string, v: number) => `${type}.v${v}`;
const commandOf = (eventType: string) => Object.entries(COMMAND_EXAMPLES).find(([, c]) => c.event === eventType)?.[0];

/** The catalog: `{type}.v{n}` for every event type and schema version, with its example. */
function eventSchemas() {
  return Object.fromEntries(
    Object.entries(CATALOG).flatMap(([type, e]) =>
      Object.entries(e.versions).map(([v, schema]) => {
        const n = Number(v);
        const command = commandOf(type);
        const status = n === e.latest ? 'the latest version' : `superseded: stored as written, shown upcast to v${e.latest} on every read`;
        return [
          eventComponent(type, n),
          {
            ...json(schema, 'input'),
            title: `${type} v${n}`,
            description: `\`data\` of a ${type} event, schema version ${n} (${status}). On ${e.entityType} streams${command ? `; decided by the ${command} command` : ''}.`,
            examples: [EVENT_EXAMPLES[type]![n]],
          },
        ];
      }),
    ),
  );
}

/** An event to append: one variant per type and schema version, `data` linked to its schema. */
function newEventVariants() {
  const base = json(newEventSchema, 'input');
  return Object.entries(CATALOG).flatMap(([type, e]) =>
    Object.keys(e.versions).map(Number).map((v) => ({
      ...base,
      title: `${type} v${v}`,
      required: v === e.latest ? ['type', 'data'] : ['type', 'schemaVersion', 'data'],
      properties: {
        ...base.properties,
        type: { const: type, description: `on ${e.entityType} streams` },
        schemaVersion: { const: v, description: v === e.latest ? 'optional: the latest' : 'required for a superseded version' },
        data: { ...ref(eventComponent(type, v)), description: 'at most 32 KiB of JSON' },
      },
    })),
  );
}

/** An event as reads and commands show it: upcast to its type's latest schema version. */
function storedEventVariants() {
  const base = json(storedEventSchema);
  return Object.entries(CATALOG).map(([type, e]) => ({
    ...base,
    title: type,
    properties: {
      ...base.properties,
      id: { type: 'string', format: 'uuid' },
      type: { const: type },
      schemaVersion: { const: e.latest },
      occurredAt: { type: 'string', format: 'date-time', description: 'when it happened at the site (UTC, milliseconds)' },
      recordedAt: { type: 'string', format: 'date-time', description: 'when the server stored it' },
      data: ref(eventComponent(type, e.latest)),
      metadata: ref('EventMetadata'),
    },
  }));
}

const eventMetadataSchema = {
  type: 'object',
  description: 'The client’s `metadata` (at most 4 KiB), overlaid with the server’s context, which wins on these names.',
  required: ['tenantId', 'actor', 'source', 'correlationId', 'causationId'],
  properties: {
    tenantId: { type: 'string' },
    actor: { type: 'string', description: 'the token subject' },
    source: { type: ['string', 'null'], description: 'the `X-Source` header' },
    correlationId: { type: 'string', format: 'uuid' },
    causationId: { type: ['string', 'null'], format: 'uuid' },
    command: { type: 'string', description: 'the command that decided it (commands only)' },
    requestHash: { type: 'string', description: 'commands: a digest of the command and its body, what its idempotency key is bound to' },
  },
  additionalProperties: {},
};

const withEvents = (schema: Record<string, any>, items: object) => ({
  ...schema,
  properties: { ...schema.properties, events: { ...schema.properties.events, items } },
});

/** A command's body: its own fields and the envelope (`occurredAt`, `location`, `commandId`), one object. */
function commandBodySchema(type: string, schema: Parameters<typeof json>[0]) {
  const fields = json(schema, 'input');
  const envelope = json(commandEnvelopeSchema, 'input');
  return {
    ...fields,
    title: `${type} command`,
    description: `The fields of ${type}, and the envelope every command takes. Rules it can break (409): ${COMMAND_RULES[type]!.map((r) => `\`${r}\``).join(', ') || 'none'}.`,
    properties: { ...fields.properties, ...envelope.properties },
    examples: [COMMAND_EXAMPLES[type]!.body],
  };
}

function schemas() {
  const batchItem = json(batchItemSchema, 'input');
  const batchRequest = json(batchBodySchema, 'input');
  const append = json(appendBodySchema, 'input');
  const appendResult = json(appendResultSchema);
  const problemForBatch = {
    ...problemSchema,
    description: 'An item the batch could not store: the problem it would have been as a single append, with its `streamId` (null when the item has none).',
    required: [...problemSchema.required, 'streamId'],
    properties: { ...problemSchema.properties, streamId: { type: ['string', 'null'] }, status: { type: 'integer', enum: [400, 409, 422, 503] } },
  };
  return {
    Problem: problemSchema,
    StreamId: { ...json(streamIdSchema, 'input'), description: `\`{entityType}-{entityId}\`; each entity type has its id rule (a malformed id is a 400 \`invalid_stream_id\` naming the rule): ${Object.entries(ID_RULES).map(([t, r]) => `${t}: ${r}`).join('; ')}` },
    AppendRequest: {
      ...withEvents(append, ref('NewEvent')),
      description: `Up to ${MAX_EVENTS_PER_APPEND} events, stored together or not at all (${MiB} at most). Event ids must be unique within the request.`,
      examples: [{ expectedVersion: 0, events: [{ id: EX.eventId, type: 'ShipmentStatusRecorded', location: 'LIM/WH2', data: EVENT_EXAMPLES.ShipmentStatusRecorded![1] }] }],
    },
    NewEvent: { anyOf: newEventVariants(), description: 'An event to append: `type` picks the catalog entry, `schemaVersion` (default: the latest) its schema, which `data` must match. Exactly one variant matches a valid event.' },
    AppendResult: { ...appendResult, examples: [{ streamId: `shipment-${EX.awb}`, fromVersion: 1, toVersion: 1, positions: [48213] }] },
    StoredEvent: { oneOf: storedEventVariants(), description: 'A stored event, `data` upcast to its type’s latest schema version.' },
    EventMetadata: eventMetadataSchema,
    StreamPage: withEvents(json(readResultSchema), ref('StoredEvent')),
    StreamInfo: json(streamInfoSchema),
    StreamState: json(streamStateSchema),
    CommandResult: withEvents(json(commandResultSchema), ref('StoredEvent')),
    BatchRequest: {
      ...batchRequest,
      description: `Late uploads from site buffers: up to ${MAX_EVENTS_PER_BATCH} events in all (5 MiB at most). Each item is checked on its own: one that is not a BatchItem is answered alone with a 400 result, the others are stored.`,
      properties: {
        ...batchRequest.properties,
        items: { ...batchRequest.properties.items, items: { anyOf: [ref('BatchItem'), { description: 'anything else: that item alone is answered with status 400' }] } },
      },
    },
    BatchItem: withEvents(batchItem, ref('NewEvent')),
    BatchResult: {
      type: 'object',
      required: ['items'],
      additionalProperties: false,
      properties: { items: { type: 'array', items: ref('BatchItemResult'), description: 'one result per item, in request order' } },
    },
    BatchItemResult: { oneOf: [ref('BatchItemStored'), ref('BatchItemProblem')] },
    BatchItemStored: {
      ...appendResult,
      description: 'An item stored (201) or recognised as a retry (200), with its versions.',
      required: [...appendResult.required, 'status'],
      properties: { ...appendResult.properties, status: { type: 'integer', enum: [200, 201] } },
    },
    BatchItemProblem: problemForBatch,
    HealthLive: { type: 'object', required: ['status'], additionalProperties: false, properties: { status: { const: 'ok' } } },
    HealthReady: {
      type: 'object',
      required: ['status', 'checks'],
      additionalProperties: false,
      properties: {
        status: { type: 'string', enum: ['ready', 'unavailable'] },
        checks: {
          type: 'object',
          required: ['queue', 'postgres'],
          additionalProperties: false,
          properties: { queue: { type: 'string', enum: ['ok', 'missing'] }, postgres: { type: 'string', enum: ['ok', 'unreachable'] } },
        },
      },
    },
    ...readSideSchemas(),
    ...Object.fromEntries(
      ENTITY_TYPES.flatMap((t) => Object.values(MODELS[t].commands).map((c) => [`${c.type}Command`, commandBodySchema(c.type, c.schema)])),
    ),
    ...eventSchemas(),
  };
}

// ---------------------------------------------------------------------------------------------
// Paths

const streamIdParam = pathParam('streamId', ref('StreamId'), 'the stream: `{entityType}-{entityId}`', `shipment-${EX.awb}`);
// what the JSON body guard (src/http/body.ts) answers on every route with a body
const BODY_400 = ['validation_failed', 'malformed_json', 'invalid_utf8', 'incomplete_body'];
const BODY_415 = ['unsupported_media_type', 'unsupported_charset'];

function streamPaths(col: Collector) {
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
    problems: { 400: ['validation_failed', 'invalid_stream_id', 'invalid_header'], 404: ['stream_not_found'], 503: ['database_unavailable', 'stream_unavailable'] },
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
      problems: { 400: ['validation_failed', 'invalid_stream_id', 'invalid_header'], 404: ['stream_not_found'], 503: ['database_unavailable', 'stream_unavailable'] },
      problemHeaders: ['ETag?', 'Cache-Control?'],
    });
  const batch = operation(col, {
    id: 'appendBatch',
    tag: 'Streams',
    summary: 'Append to many streams at once (late uploads)',
    description: [
      `Each item is what a single append takes plus its \`streamId\`; at most ${MAX_EVENTS_PER_BATCH} events in all and 5 MiB.`,
      'The answer is 200 with one result per item, in request order: `status` 201 or 200 with the versions, or the problem that item alone would have been (400, 409, 422, 503).',
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

function commandPaths(col: Collector) {
  return Object.fromEntries(
    ENTITY_TYPES.flatMap((entityType) => {
      const model = MODELS[entityType];
      const param = COLLECTION_PARAM[entityType];
      return Object.entries(model.commands).map(([segment, command]) => {
        const ex = COMMAND_EXAMPLES[command.type]!;
        const latest = CATALOG[ex.event]!.latest;
        const rules = COMMAND_RULES[command.type]!;
        const streamId = `${entityType}-${ENTITY_EXAMPLES[entityType]}`;
        const op = operation(col, {
          id: lowerFirst(command.type),
          tag: TAG_OF[entityType],
          summary: command.type.replace(/([a-z])([A-Z])/g, '$1 $2').replace('Uld', 'ULD'),
          description: [
            `Decided against the ${entityType}’s state in its stream’s object, and stored as a ${ex.event} event at that state’s version (no lost updates).`,
            rules.length ? `Rules it can break (409, \`code\` and \`rule\` name the rule): ${rules.map((r) => `\`${r}\``).join(', ')}.` : 'It breaks no rule: it is always recorded.',
            'The body is the command’s fields plus the envelope: `occurredAt` (site time, default now), `location`, `commandId`.',
            'With `Idempotency-Key` (or `commandId`) a retry returns the first answer with `Idempotent-Replayed: true`, even after the state moved on; without one a retry decides again. A key is bound to its first request: the same key with another command or body is 422 `idempotency_key_reused`.',
            '`If-Match: "<n>"` decides only at that version (409 `wrong_expected_version` with `currentVersion` otherwise); `*` only if the stream exists.',
          ].join(' '),
          scopes: ['tracking:write'],
          partner: 'refused',
          parameters: [
            pathParam(param, { type: 'string', pattern: `^${ID_PATTERNS[entityType]}$` }, `the ${entityType}: ${ID_RULES[entityType]}`, ENTITY_EXAMPLES[entityType]),
            header('IdempotencyKey'), header('IfMatch'), header('XCorrelationId'), header('XCausationId'), header('XSource'),
          ],
          body: { schema: ref(`${command.type}Command`), examples: { [command.type]: { summary: command.type, value: ex.body } } },
          responses: {
            '201': ok(
              'Decided and stored: the stream’s new version and the events the command produced.',
              ref('CommandResult'),
              {
                streamId,
                version: 1,
                events: [storedEventExample(ex.event, EVENT_EXAMPLES[ex.event]![latest]!, { schemaVersion: latest, location: ex.location ?? null, metadata: metadataExample({ command: command.type }) })],
              },
              ['ETag', 'X-Correlation-Id', 'Idempotent-Replayed'],
            ),
          },
          problems: {
            400: [...BODY_400, 'invalid_entity_id', 'invalid_header', 'conflicting_idempotency_key'],
            409: [...rules, 'wrong_expected_version', 'concurrent_change'],
            413: ['payload_too_large'],
            415: BODY_415,
            422: ['invalid_value', 'forbidden_key', 'idempotency_key_reused'],
            503: ['database_unavailable', 'stream_unavailable'],
          },
          notes: { 413: 'A command body is at most 64 KiB.' },
          problemHeaders: ['X-Correlation-Id?'],
        });
        return [`/v1/${model.collection}/{${param}}/${segment}`, { post: op }];
      });
    }),
  );
}

function contractPaths(col: Collector) {
  const publicOp = (id: string, tag: string, summary: string, description: string, responses: Record<string, object>) =>
    operation(col, { id, tag, summary, description, scopes: null, responses });
  return {
    '/openapi.json': {
      get: publicOp('getOpenApiDocument', 'Contract', 'This OpenAPI 3.1 document', 'The contract, generated from the schemas the routes validate with. `servers` names the origin it was fetched from.', {
        '200': { description: 'The document', headers: responseHeaders([]), content: { 'application/json': { schema: { type: 'object', required: ['openapi', 'info', 'paths'], properties: { openapi: { const: '3.1.0' }, info: { type: 'object' }, paths: { type: 'object' } } } } } },
      }),
    },
    '/docs': {
      get: publicOp('getDocs', 'Contract', 'The API reference (this page)', 'An interactive reference rendered from `/openapi.json` by Scalar, whose script the API serves itself (`/docs/scalar.js`): no CDN.', {
        '200': { description: 'An HTML page', headers: responseHeaders([]), content: { 'text/html': { schema: { type: 'string' } } } },
      }),
    },
    '/docs/scalar.js': {
      get: publicOp('getDocsScript', 'Contract', 'The reference renderer’s script', 'Scalar’s standalone bundle (`@scalar/api-reference`), served by the API for `/docs`.', {
        '200': { description: 'JavaScript', headers: responseHeaders(['Cache-Control']), content: { 'text/javascript': { schema: { type: 'string' } } } },
      }),
    },
    '/health/live': {
      get: publicOp('healthLive', 'Health', 'Liveness', 'The Worker answers.', { '200': ok('Alive', ref('HealthLive'), { status: 'ok' }) }),
    },
    '/health/ready': {
      get: publicOp('healthReady', 'Health', 'Readiness: Postgres reachable and the events queue bound', 'For load balancers and deploy checks.', {
        '200': ok('Ready', ref('HealthReady'), { status: 'ready', checks: { queue: 'ok', postgres: 'ok' } }),
        '503': ok('Not ready: a check failed', ref('HealthReady'), { status: 'unavailable', checks: { queue: 'ok', postgres: 'unreachable' } }),
      }),
    },
  };
}

// ---------------------------------------------------------------------------------------------

export const LOCAL_SERVER = 'http://127.0.0.1:8787';

export function openApiDocument(origin = LOCAL_SERVER) {
  const col = new Collector();
  const paths = { ...streamPaths(col), ...commandPaths(col), ...readSidePaths(col), ...contractPaths(col) };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Track & Trace API',
      version: '1.0.0',
      summary: 'Events of flights, shipments, bags, ULDs and ground equipment, and the read models built from them.',
      description: guide(),
      contact: { name: 'Track & Trace API team', url: `${origin}/docs` },
      license: { name: 'Proprietary', url: `${origin}/docs` },
    },
    servers: [{ url: origin, description: origin === LOCAL_SERVER ? 'local (`npm start`)' : 'this deployment' }],
    tags: TAGS,
    paths,
    components: {
      securitySchemes: SECURITY_SCHEMES,
      parameters: REQUEST_HEADERS,
      headers: headerComponents(),
      schemas: schemas(),
      responses: Object.fromEntries(col.responses),
      examples: Object.fromEntries([...col.examples].sort(([a], [b]) => a.localeCompare(b))),
    },
  };
}

export const openApiRoutes = new Hono<AppEnv>();

const cached = new Map<string, string>();
openApiRoutes.get('/openapi.json', (c) => {
  const origin = new URL(c.req.url).origin;
  let doc = cached.get(origin);
  if (!doc) {
    doc = JSON.stringify(openApiDocument(origin));
    if (cached.size > 8) cached.clear();
    cached.set(origin, doc);
  }
  return c.body(doc, 200, { 'content-type': 'application/json' });
});

openApiRoutes.get('/docs', (c) => c.html(docsPage()));

openApiRoutes.get('/docs/scalar.js', async (c) => {
  const { default: script } = await import('./vendor/scalarBundle.js');
  return c.body(script, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=3600' });
});
