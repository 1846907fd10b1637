// components.schemas: the write side's bodies and answers from the zod schemas the routes validate
// with, the problem shape, health, commands and the event catalog, and the read side's answers.
import { MODELS } from '../domain/entities';
import { ENTITY_TYPES } from '../domain/identifiers';
import { commandEnvelopeSchema } from '../streams/commands';
import {
  appendBodySchema, appendResultSchema, batchBodySchema, batchItemSchema, commandResultSchema, MAX_EVENTS_PER_APPEND, MAX_EVENTS_PER_BATCH,
  readResultSchema, streamIdSchema, streamInfoSchema, streamStateSchema,
} from '../streams/schemas';
import { COMMAND_RULES, ERROR_CODES } from './errors';
import { eventMetadataSchema, eventSchemas, newEventVariants, storedEventVariants } from './eventSchemas';
import { COMMAND_EXAMPLES, EVENT_EXAMPLES, EX } from './examples';
import { ID_RULES, json, ref } from './jsonSchema';
import { readSideSchemas } from './readSideSchemas';
import { retentionSchemas } from './retentionPaths';

export const MiB = '1 MiB';

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
    scope: { type: 'string', enum: ['tenant', 'token'], description: 'rate_limited: whose limit was reached, the token subject’s or the whole tenant’s' },
    archivedAt: { type: 'string', format: 'date-time', description: 'stream_archived: when retention moved the stream’s events to the archive' },
  },
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

export function schemas() {
  const batchItem = json(batchItemSchema, 'input');
  const batchRequest = json(batchBodySchema, 'input');
  const append = json(appendBodySchema, 'input');
  const appendResult = json(appendResultSchema);
  const problemForBatch = {
    ...problemSchema,
    description: 'An item the batch could not store: the problem it would have been as a single append, with its `streamId` (null when the item has none).',
    required: [...problemSchema.required, 'streamId'],
    properties: { ...problemSchema.properties, streamId: { type: ['string', 'null'] }, status: { type: 'integer', enum: [400, 409, 410, 422, 503] } },
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
          required: ['queue', 'postgres', 'projections'],
          additionalProperties: false,
          properties: {
            queue: { type: 'string', enum: ['ok', 'missing'] },
            postgres: { type: 'string', enum: ['ok', 'unreachable'] },
            projections: { type: 'string', enum: ['ok', 'lagging', 'unknown'], description: '`lagging`: readSide.lagSeconds or readSide.backlog is above its threshold; `unknown`: Postgres could not be asked.' },
          },
        },
        readSide: {
          type: 'object',
          description: 'How far the read models are behind the event store (absent when Postgres is unreachable).',
          required: ['lagSeconds', 'backlog', 'deadLetters', 'oldestOpenTransactionSeconds'],
          additionalProperties: false,
          properties: {
            lagSeconds: { type: 'number', minimum: 0, description: 'Age of the oldest commit the projections have not applied yet; 0 when none waits.' },
            backlog: { type: 'integer', minimum: 0, description: 'Commits waiting for the projections (outbox rows).' },
            deadLetters: { type: 'integer', minimum: 0, description: 'Queue messages kept as dead letters, not yet replayed.' },
            oldestOpenTransactionSeconds: { type: 'number', minimum: 0, description: 'Age of the oldest open write transaction in Postgres: it holds the global-log readers (rebuilds) back.' },
          },
        },
        thresholds: {
          type: 'object',
          required: ['maxLagSeconds', 'maxBacklog'],
          additionalProperties: false,
          properties: {
            maxLagSeconds: { type: 'number', description: 'READY_MAX_LAG_S (default 60).' },
            maxBacklog: { type: 'integer', description: 'READY_MAX_BACKLOG (default 10000).' },
          },
        },
      },
    },
    ...readSideSchemas(),
    ...retentionSchemas(),
    ...Object.fromEntries(
      ENTITY_TYPES.flatMap((t) => Object.values(MODELS[t].commands).map((c) => [`${c.type}Command`, commandBodySchema(c.type, c.schema)])),
    ),
    ...eventSchemas(),
  };
}
