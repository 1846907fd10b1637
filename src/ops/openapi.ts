// OpenAPI 3.1 from the same zod schemas the routes validate with.
import { Hono } from 'hono';
import { z, type ZodType } from 'zod';
import type { AppEnv } from '../env';
import { CATALOG } from '../domain/catalog';
import { MODELS } from '../domain/entities';
import { ENTITY_TYPES } from '../domain/identifiers';
import { commandEnvelopeSchema } from '../streams/commands';
import { PARTNER_DOC, readSidePaths, readSideSchemas, SCOPES_DOC, type DocHelpers } from './readSideDocs';
import {
  appendBodySchema, appendResultSchema, batchBodySchema, batchItemSchema, batchResultSchema, commandResultSchema, problemSchema,
  readQuerySchema, readResultSchema, streamIdSchema, streamInfoSchema, streamStateSchema,
} from '../streams/schemas';

const json = (schema: ZodType, io: 'input' | 'output' = 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });

const problems = (...codes: number[]) =>
  Object.fromEntries(codes.map((s) => [String(s), { description: 'problem', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } }]));

const streamIdParam = { name: 'streamId', in: 'path', required: true, schema: json(streamIdSchema, 'input') };
const secured = [{ bearer: [] }];

/** One parameter per field; required when the field has no default and is not optional; its `.meta` description. */
function queryParams(schema: z.ZodObject) {
  return Object.entries(schema.shape).map(([name, s]) => {
    const field = s as ZodType;
    return { name, in: 'query', required: !field.safeParse(undefined).success, ...(field.description ? { description: field.description } : {}), schema: json(field, 'input') };
  });
}

const helpers: DocHelpers = { json, problems, queryParams, secured };

// One operation per domain command: POST /v1/{collection}/{entityId}/{segment}
function commandPaths() {
  return Object.fromEntries(
    ENTITY_TYPES.flatMap((entityType) => {
      const model = MODELS[entityType];
      return Object.entries(model.commands).map(([segment, command]) => [
        `/v1/${model.collection}/{entityId}/${segment}`,
        {
          post: {
            summary: `${command.type} (decided against the ${entityType}'s state)`,
            description: 'A rule the command breaks is a 409 whose `code` names the rule. `Idempotency-Key` (or `commandId`) makes a retry return the first answer.',
            security: secured,
            parameters: [
              { name: 'entityId', in: 'path', required: true, schema: { type: 'string' } },
              { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 200 } },
            ],
            requestBody: {
              required: true,
              content: { 'application/json': { schema: { allOf: [json(command.schema, 'input'), json(commandEnvelopeSchema, 'input')] } } },
            },
            responses: { '201': { description: 'decided and stored', content: { 'application/json': { schema: json(commandResultSchema) } } }, ...problems(400, 401, 403, 409, 415, 503) },
          },
        },
      ]);
    }),
  );
}

/** The catalog as schemas: `{type}.v{n}` for every event type and version. */
const eventSchemas = () =>
  Object.fromEntries(Object.entries(CATALOG).flatMap(([type, e]) => Object.entries(e.versions).map(([v, schema]) => [`${type}.v${v}`, json(schema, 'input')])));

export const openApiDocument = () => ({
  openapi: '3.1.0',
  info: {
    title: 'Track & Trace API',
    version: '1.0.0',
    description: [
      'Events of flights, shipments, bags, ULDs and equipment, appended per stream and read back;',
      'read models (current status, timeline, search, flight manifest, operational metrics) built from them a moment later.',
      'Every /v1 route needs a bearer JWT; its tenant claim (AUTH_TENANT_CLAIM, default `tenant_id`) scopes everything.',
      `${SCOPES_DOC} ${PARTNER_DOC}`,
      'Errors are `application/problem+json`.',
    ].join(' '),
  },
  components: {
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: `A JWT from the configured issuer (asymmetric algorithms only), audience AUTH_AUDIENCE (default \`tracktrace-api\`), with \`exp\` and the tenant claim (default \`tenant_id\`). ${SCOPES_DOC} ${PARTNER_DOC}`,
      },
    },
    schemas: { Problem: json(problemSchema), ...readSideSchemas(helpers), ...eventSchemas() },
  },
  paths: {
    '/v1/streams/{streamId}/events': {
      post: {
        summary: 'Append events to a stream',
        description: 'Atomic; idempotent per event id. `If-Match: "<n>"` works as expectedVersion. Each event is checked against the catalog (components.schemas `{type}.v{n}`): unknown type, wrong entity type or a payload that does not match is 422.',
        security: secured,
        parameters: [streamIdParam, { name: 'If-Match', in: 'header', required: false, schema: { type: 'string' } }],
        requestBody: { required: true, content: { 'application/json': { schema: json(appendBodySchema, 'input') } } },
        responses: {
          '201': { description: 'appended', content: { 'application/json': { schema: json(appendResultSchema) } } },
          '200': { description: 'already stored (a retry); the original versions', content: { 'application/json': { schema: json(appendResultSchema) } } },
          ...problems(400, 401, 403, 409, 413, 415, 422, 503),
        },
      },
      get: {
        summary: 'Read a stream',
        security: secured,
        parameters: [streamIdParam, ...queryParams(readQuerySchema), { name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' } }],
        responses: {
          '200': { description: 'a page of events', content: { 'application/json': { schema: json(readResultSchema) } } },
          '304': { description: 'not modified since the ETag' },
          ...problems(400, 401, 403, 404, 503),
        },
      },
    },
    '/v1/streams/{streamId}/state': {
      get: {
        summary: 'The decided state of the entity and how it was loaded (snapshot + replayed events)',
        security: secured,
        parameters: [streamIdParam],
        responses: { '200': { description: 'state', content: { 'application/json': { schema: json(streamStateSchema) } } }, ...problems(400, 401, 403, 404, 503) },
      },
    },
    ...commandPaths(),
    '/v1/streams/{streamId}': {
      get: {
        summary: 'Stream info',
        security: secured,
        parameters: [streamIdParam],
        responses: { '200': { description: 'the stream', content: { 'application/json': { schema: json(streamInfoSchema) } } }, ...problems(400, 401, 403, 404, 503) },
      },
    },
    '/v1/events:batch': {
      post: {
        summary: 'Append to many streams at once (late uploads)',
        description: 'Each item is what a single append takes plus its streamId; one result per item, in request order.',
        security: secured,
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { ...json(batchBodySchema, 'input'), properties: { items: { type: 'array', maxItems: 500, items: json(batchItemSchema, 'input') } } } } },
        },
        responses: { '200': { description: 'per-item results', content: { 'application/json': { schema: json(batchResultSchema) } } }, ...problems(400, 401, 403, 413, 415) },
      },
    },
    ...readSidePaths(helpers),
    '/health/live': { get: { summary: 'Liveness', responses: { '200': { description: 'alive' } } } },
    '/health/ready': { get: { summary: 'Readiness: Postgres and the queue binding', responses: { '200': { description: 'ready' }, '503': { description: 'not ready' } } } },
  },
});

export const openApiRoutes = new Hono<AppEnv>();

let cached: string | undefined;
openApiRoutes.get('/openapi.json', (c) => c.body((cached ??= JSON.stringify(openApiDocument())), 200, { 'content-type': 'application/json' }));

// A self-contained page (no CDN): every operation with its schemas, rendered from the document.
openApiRoutes.get('/docs', (c) => {
  const doc = openApiDocument();
  const esc = (s: string) => s.replace(/[&<>]/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[ch]!);
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods as Record<string, { summary: string; description?: string }>).map(([m, op]) =>
      `<section><h2><code>${m.toUpperCase()} ${esc(path)}</code></h2><p>${esc(op.summary)}</p>${op.description ? `<p>${esc(op.description)}</p>` : ''}<details><summary>schema</summary><pre>${esc(JSON.stringify(op, null, 2))}</pre></details></section>`),
  );
  return c.html(`<!doctype html><meta charset="utf-8"><title>Track &amp; Trace API</title><style>body{font:15px system-ui;max-width:60rem;margin:2rem auto;padding:0 1rem}pre{background:#f4f4f4;padding:1rem;overflow:auto}</style><h1>Track &amp; Trace API</h1><p>Machine-readable: <a href="/openapi.json">/openapi.json</a>. Errors are <code>application/problem+json</code>.</p>${ops.join('')}`);
});
