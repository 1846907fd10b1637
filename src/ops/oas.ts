// Building blocks of the OpenAPI 3.1 document: zod → JSON Schema (zod 4's own converter, with the
// identifier patterns zod's refinements cannot express), operations, problem answers, shared headers.
import { z, type ZodType } from 'zod';
import { awbSchema, bagTagSchema, flightIdSchema, uldIdSchema } from '../domain/ids';
import { shipmentCommandSchemas } from '../domain/shipment';
import { streamIdSchema } from '../streams/schemas';
import { ERRORS, RULES } from './errors';
import { EX } from './examples';

// Identifier rules as patterns (what a pattern can say; check digits, calendar dates and the airport
// list are checked by the API beyond the schema and answered 400 naming the rule).
export const ID_PATTERNS = {
  flight: '(?![0-9]{2})[A-Z0-9]{2}[0-9]{1,4}[A-Z]?-[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])',
  shipment: '[0-9]{3}-[0-9]{8}',
  baggage: '[012][0-9]{9}',
  uld: '[A-Z]{3}[0-9]{4,5}[A-Z0-9]{2}',
  equipment: '[A-Z0-9-]{3,32}',
} as const;

export const ID_RULES = {
  flight: 'airline designator (2 characters, at least one a letter) + 1-4 digit number + optional suffix, a dash and the local departure date at the origin: `LA2047-2026-11-22` (the date must exist)',
  shipment: 'air waybill `PPP-SSSSSSSC`: 3-digit airline prefix, dash, 7-digit serial and a check digit = serial mod 7: `045-12345675`',
  baggage: '10-digit licence plate: 0 (interline), 1 (fallback) or 2 (expedite), 3-digit airline code, 6-digit serial: `0045123456`',
  uld: '3-letter type, 4-5 digit serial, 2-character owner code: `AKE12345LA`',
  equipment: 'the handler’s asset tag, 3-32 of A-Z, 0-9 and `-`: `TUG-07`',
} as const;

const anchored = (p: string) => `^${p}$`;
export const STREAM_ID_PATTERN = `^(${Object.entries(ID_PATTERNS).map(([t, p]) => `${t}-${p}`).join('|')})$`;
export const ENTITY_ID_PATTERN = `^(${Object.values(ID_PATTERNS).join('|')})$`;

// zod refinements the converter drops, restated for the schemas that carry them.
const EXTRA = new Map<ZodType, Record<string, unknown>>([
  [flightIdSchema, { pattern: anchored(ID_PATTERNS.flight), description: ID_RULES.flight }],
  [awbSchema, { pattern: anchored(ID_PATTERNS.shipment), description: ID_RULES.shipment }],
  [bagTagSchema, { pattern: anchored(ID_PATTERNS.baggage), description: ID_RULES.baggage }],
  [uldIdSchema, { pattern: anchored(ID_PATTERNS.uld), description: ID_RULES.uld }],
  [streamIdSchema, { pattern: STREAM_ID_PATTERN, maxLength: 80 }],
  [
    shipmentCommandSchemas.RecordShipmentStatus,
    {
      // a DIS names its discrepancy; no other code carries one
      if: { properties: { code: { const: 'DIS' } }, required: ['code'] },
      then: { required: ['discrepancy'], properties: { discrepancy: { description: 'required with DIS' } } },
      else: { not: { required: ['discrepancy'], properties: { discrepancy: { description: 'only with DIS' } } } },
    },
  ],
]);

/** JSON Schema (2020-12, the dialect of OpenAPI 3.1) of a zod schema, as requests (`input`) or answers (`output`) see it. */
export function json(schema: ZodType, io: 'input' | 'output' = 'output'): Record<string, any> {
  const out = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    target: 'draft-2020-12',
    override: (ctx) => {
      const extra = EXTRA.get(ctx.zodSchema as unknown as ZodType);
      if (extra) Object.assign(ctx.jsonSchema, extra);
    },
  }) as Record<string, any>;
  delete out.$schema;
  return out;
}

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

// ---------------------------------------------------------------------------------------------
// Headers a client sees, and headers it may send.

export const RESPONSE_HEADERS = {
  'X-Request-Id': {
    description: 'The id of this request: the `X-Request-Id` the client sent (1-128 of letters, digits, `_`, `-`, `=`), or a generated UUID. Also `requestId` in problems; quote it when reporting an issue.',
    required: true,
    schema: { type: 'string', pattern: '^[A-Za-z0-9_=-]{1,128}$' },
  },
  ETag: {
    description: 'The stream (or read-model row) version as a strong entity tag: `"<version>"`. Send it back as `If-None-Match` (reads) or `If-Match` (appends).',
    required: true,
    schema: { type: 'string', pattern: '^"[0-9]+"$' },
  },
  'Cache-Control': { description: 'Reads: `private, no-cache` (revalidate with `If-None-Match`); the reference script: `public, max-age=3600`.', required: true, schema: { type: 'string' } },
  'X-Correlation-Id': {
    description: 'The correlation id stored with the events: the `X-Correlation-Id` the client sent, or a generated one.',
    required: true,
    schema: { type: 'string', format: 'uuid' },
  },
  'Idempotent-Replayed': {
    description: '`true` when this is the stored answer to an earlier command with the same `Idempotency-Key` (or `commandId`): nothing new was decided.',
    schema: { type: 'string', enum: ['true'] },
  },
  'WWW-Authenticate': {
    description: 'RFC 6750 challenge: `Bearer realm="tracktrace", error="invalid_token" | "invalid_request" | "insufficient_scope", …`. Always on a 401; on a 403 for `insufficient_scope` (with the `scope` needed), not for `partner_read_only`.',
    schema: { type: 'string', pattern: '^Bearer realm="tracktrace"' },
  },
  Allow: { description: 'The methods this path answers, comma-separated.', required: true, schema: { type: 'string', pattern: '^[A-Z]+(, [A-Z]+)*$' } },
  'Retry-After': { description: 'Seconds to wait before retrying.', required: true, schema: { type: 'integer', minimum: 0 } },
  Accept: {
    description: 'The media type the route takes: `application/json` (415 `unsupported_media_type`) in UTF-8 (415 `unsupported_charset`).',
    required: true,
    schema: { type: 'string', enum: ['application/json', 'application/json; charset=utf-8'] },
  },
  Location: { description: 'Where to follow the work that was started.', required: true, schema: { type: 'string', format: 'uri-reference' } },
} as const;

export type HeaderName = keyof typeof RESPONSE_HEADERS;
/** A header, or `Name?` where it may be missing (the component's `…IfSet` variant). */
export type HeaderRef = HeaderName | `${HeaderName}?`;
const headerComponent = (h: HeaderName) => h.replaceAll('-', '');
// Headers that some answers carry only sometimes: a write's problem carries the correlation id when
// it was read before the problem arose (a rule broken, a conflict), not when the request was refused first.
const SOMETIMES: Partial<Record<HeaderName, string>> = {
  ETag: 'On a problem: present when the resource was read before the request was refused (a malformed If-None-Match).',
  'Cache-Control': 'On a problem: present when the resource was read before the request was refused (a malformed If-None-Match).',
  'X-Correlation-Id': 'On a problem: present when the request got as far as reading its correlation id (conflicts, broken rules, catalog problems), absent when it was refused before.',
};
export const responseHeaders = (names: HeaderRef[]) =>
  Object.fromEntries(
    ['X-Request-Id', ...names.filter((n) => n !== 'X-Request-Id')].map((n) => {
      const name = n.replace(/\?$/, '') as HeaderName;
      return [name, { $ref: `#/components/headers/${headerComponent(name)}${n.endsWith('?') ? 'IfSet' : ''}` }];
    }),
  );
export const headerComponents = () => ({
  ...Object.fromEntries(Object.entries(RESPONSE_HEADERS).map(([n, h]) => [headerComponent(n as HeaderName), h])),
  ...Object.fromEntries(
    Object.entries(SOMETIMES).map(([n, note]) => {
      const { required: _, ...h } = RESPONSE_HEADERS[n as HeaderName] as { required?: boolean; description: string };
      return [`${headerComponent(n as HeaderName)}IfSet`, { ...h, description: `${h.description} ${note}` }];
    }),
  ),
});

export const REQUEST_HEADERS = {
  XRequestId: {
    name: 'X-Request-Id', in: 'header', required: false,
    description: 'Your own id for this request (1-128 of letters, digits, `_`, `-`, `=`); echoed back. Anything else is replaced by a generated UUID.',
    schema: { type: 'string', maxLength: 128, pattern: '^[A-Za-z0-9_=-]+$' },
  },
  XCorrelationId: {
    name: 'X-Correlation-Id', in: 'header', required: false,
    description: 'The flow this write belongs to (a UUID), stored as `metadata.correlationId` of every event; generated when absent, and echoed.',
    schema: { type: 'string', format: 'uuid' },
  },
  XCausationId: {
    name: 'X-Causation-Id', in: 'header', required: false,
    description: 'The event or command that caused this command (a UUID), stored as `metadata.causationId`. For raw appends use `metadata.causationId` per event.',
    schema: { type: 'string', format: 'uuid' },
  },
  XSource: {
    name: 'X-Source', in: 'header', required: false,
    description: 'The device or system that wrote it (a scanner, a tablet, a baggage system), stored as `metadata.source` (first 128 characters).',
    schema: { type: 'string' },
  },
  IdempotencyKey: {
    name: 'Idempotency-Key', in: 'header', required: false,
    description: 'Makes a command safe to retry: the same key on the same entity returns the first answer (with `Idempotent-Replayed: true`), even after the state moved on. Same as `commandId` in the body; 1-200 visible ASCII characters.',
    schema: { type: 'string', pattern: '^[!-~]{1,200}$' },
  },
  IfMatch: {
    name: 'If-Match', in: 'header', required: false,
    description: 'The version the stream must be at, as the ETag shows it (`"3"`), or `*`: the stream exists. On appends the same as `expectedVersion` (both given and different: 400 `conflicting_expected_version`); on commands the version the command is decided at. A mismatch is 409 `wrong_expected_version` with `currentVersion`.',
    schema: { type: 'string', pattern: '^\\s*(\\*|"?[0-9]{1,15}"?)\\s*$' },
  },
  IfNoneMatch: {
    name: 'If-None-Match', in: 'header', required: false,
    description: 'ETags from earlier answers (`"3"`, a comma-separated list, `W/` prefixes ignored) or `*`: while one matches, the answer is 304 with no body. Another form is 400 `invalid_header`.',
    schema: { type: 'string', pattern: '^\\s*(\\*|(W/)?"[^"]*"(\\s*,\\s*(W/)?"[^"]*")*)\\s*$' },
  },
} as const;
export type RequestHeader = keyof typeof REQUEST_HEADERS;
export const header = (name: RequestHeader) => ({ $ref: `#/components/parameters/${name}` });

// ---------------------------------------------------------------------------------------------
// Problems

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict',
  413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content', 500: 'Internal Server Error', 503: 'Service Unavailable',
};
export const title = (status: number) => TITLES[status] ?? 'Error';

const PROBLEM_HEADERS: Record<number, HeaderName[]> = {
  401: ['WWW-Authenticate'],
  403: ['WWW-Authenticate'],
  405: ['Allow'],
  415: ['Accept'],
  503: ['Retry-After'],
};

/** A problem body of a code, as the API would answer it. */
export function problemExample(code: string) {
  const e = ERRORS[code]!;
  const extra: Record<string, unknown> = {};
  for (const f of e.fields ?? []) {
    if (f === 'errors') extra.errors = [{ path: code === 'validation_failed' ? 'events.0.data.pieces' : 'events.0.type', message: code === 'validation_failed' ? 'Invalid input: expected number, received string' : e.meaning }];
    if (f === 'rule') extra.rule = code === 'invalid_stream_id' || code === 'invalid_entity_id' ? 'awb_check_digit' : code;
    if (f === 'currentVersion') extra.currentVersion = 7;
    if (f === 'eventIds') extra.eventIds = [EX.eventId];
    if (f === 'missing') extra.missing = ['shipment-045-12345675'];
  }
  return {
    type: `https://tracktrace.dev/problems/${code.replaceAll('_', '-')}`,
    title: title(e.status),
    status: e.status,
    detail: e.meaning.replace(/^rule: /, ''),
    code,
    requestId: EX.requestId,
    ...extra,
  };
}

/** Every problem example the document refers to, collected as operations are built. */
export class Collector {
  examples = new Map<string, object>();
  responses = new Map<string, object>();
  /** A response many operations answer alike, kept once in components.responses. */
  shared(name: string, response: object) {
    this.responses.set(name, response);
    return { $ref: `#/components/responses/${name}` };
  }
  problem(code: string) {
    const name = `problem.${code}`;
    if (!this.examples.has(name)) this.examples.set(name, { summary: code, value: problemExample(code) });
    return { $ref: `#/components/examples/${name}` };
  }
}

export function problemResponse(col: Collector, status: number, codes: string[], note?: string, extraHeaders: HeaderRef[] = []) {
  if (status === 405) note ??= 'Another method on this path: the path exists, the method does not.';
  for (const c of codes) if (ERRORS[c]?.status !== status) throw new Error(`${c} is not a ${status} code in the catalogue`);
  const list = codes.map((c) => `\`${c}\`: ${RULES[c] ? `rule: ${RULES[c]}` : ERRORS[c]!.meaning}`).join('; ');
  const h = PROBLEM_HEADERS[status];
  return {
    description: `${title(status)}. ${note ? `${note} ` : ''}Codes: ${list}.`,
    headers: responseHeaders([...(h ?? []), ...extraHeaders]),
    content: {
      'application/problem+json': {
        schema: { allOf: [ref('Problem'), { properties: { code: { enum: codes } } }] },
        examples: Object.fromEntries(codes.map((c) => [c, col.problem(c)])),
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Operations

/** Problem answers that read alike on every operation that has them. */
const SHARED: Record<string, string> = {
  unauthorized: 'Unauthorized',
  method_not_allowed: 'MethodNotAllowed',
  insufficient_scope: 'Forbidden',
  'insufficient_scope,partner_read_only': 'ForbiddenOrPartner',
  internal_error: 'InternalError',
  auth_unavailable: 'AuthUnavailable',
  'database_unavailable,auth_unavailable': 'ServiceUnavailable',
};

export type Scope = 'tracking:read' | 'tracking:write' | 'tracking:admin' | 'tracking:operator';

/** One security scheme per kind of token: a bearer JWT with that scope (and, for partners, the carriers claim). */
export const SCHEME_OF: Record<Scope, string> = {
  'tracking:read': 'readToken',
  'tracking:write': 'writeToken',
  'tracking:admin': 'adminToken',
  'tracking:operator': 'operatorToken',
};

const JWT = 'A bearer JWT from the issuer this deployment trusts (asymmetric signature: RS*, PS*, ES* or EdDSA), audience `AUTH_AUDIENCE` (default `tracktrace-api`), with `exp` and the tenant claim `AUTH_TENANT_CLAIM` (default `tenant_id`). Scopes are in `scope` (space-separated) or `scp` (an array).';
const bearer = (description: string) => ({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: `${description} ${JWT}` });

export const SECURITY_SCHEMES = {
  writeToken: bearer('A token whose scope includes `tracking:write`: appends, batches and commands. Partner tokens never write (403 `partner_read_only`).'),
  readToken: bearer('A token whose scope includes `tracking:read`, without the carriers claim: reads the whole tenant.'),
  partnerToken: bearer(
    'A partner token: scope `tracking:read` and the carriers claim `AUTH_CARRIERS_CLAIM` (default `carriers`), a list of airline designators (`LA`) and 3-digit prefixes (`045`), at most 50, e.g. `"carriers": ["LA", "045"]`. It reads only entities tied to those codes (anything else is a 404, never a 403), never writes and never reaches the admin routes (403 `partner_read_only`).',
  ),
  adminToken: bearer('A token whose scope includes `tracking:admin`: read-model status and dead letters of its own tenant.'),
  operatorToken: bearer('A token whose scope includes `tracking:operator`: read-model status and dead letters of the whole store, rebuilds, replays.'),
};

export type OpSpec = {
  id: string;
  tag: string;
  summary: string;
  description: string;
  /** null: public (no token). Otherwise any one of these scopes is enough. */
  scopes: Scope[] | null;
  /** What a partner token (with the carriers claim) gets. */
  partner?: 'filtered' | 'refused' | 'same';
  parameters?: object[];
  body?: { schema: object; examples: Record<string, { summary: string; value: unknown }>; description?: string };
  responses: Record<string, object>;
  /** Problem codes by status, beyond 401/403/405/500/503 that every /v1 operation gets. */
  problems?: Partial<Record<number, string[]>>;
  /** Notes on a problem status, added to its description. */
  notes?: Partial<Record<number, string>>;
  /** Headers problems of this operation may carry, beyond their status's own. */
  problemHeaders?: HeaderRef[];
};

const PARTNER_TEXT = {
  filtered: 'Partner tokens (with the carriers claim) see only what is tied to their carriers; anything else is a 404, as if it did not exist.',
  refused: 'Partner tokens (with the carriers claim) are refused: 403 `partner_read_only`.',
  same: 'Partner tokens see the same.',
};

export function operation(col: Collector, spec: OpSpec) {
  const secured = spec.scopes !== null;
  const problems: Partial<Record<number, string[]>> = { ...spec.problems };
  if (secured) {
    problems[401] ??= ['unauthorized'];
    problems[403] ??= spec.partner === 'refused' ? ['insufficient_scope', 'partner_read_only'] : ['insufficient_scope'];
    problems[503] = [...new Set([...(problems[503] ?? []), 'auth_unavailable'])];
  }
  problems[405] ??= ['method_not_allowed'];
  problems[500] ??= ['internal_error'];
  const scopeText = secured
    ? `\n\n**Scope:** ${spec.scopes!.map((s) => `\`${s}\``).join(' or ')}. ${spec.partner ? PARTNER_TEXT[spec.partner] : ''}`
    : '\n\n**Public:** no token needed.';
  const responses: Record<string, object> = { ...spec.responses };
  for (const [status, codes] of Object.entries(problems).sort(([a], [b]) => Number(a) - Number(b))) {
    const n = Number(status);
    const note = spec.notes?.[n];
    // refused before the route reads anything: no route-specific header
    const extra = [401, 403, 405, 415].includes(n) ? [] : (spec.problemHeaders ?? []);
    const response = problemResponse(col, n, codes!, note, extra);
    const name = !note && !extra.length ? SHARED[codes!.join(',')] : undefined;
    responses[status] = name ? col.shared(name, response) : response;
  }
  return {
    operationId: spec.id,
    tags: [spec.tag],
    summary: spec.summary,
    description: `${spec.description}${scopeText}`,
    security: secured
      ? [...spec.scopes!.map((s) => ({ [SCHEME_OF[s]]: [] })), ...(spec.partner === 'filtered' ? [{ partnerToken: [] }] : [])]
      : [],
    ...(spec.partner ? { 'x-partner-access': spec.partner } : {}),
    parameters: [...(spec.parameters ?? []), header('XRequestId')],
    ...(spec.body
      ? {
          requestBody: {
            required: true,
            ...(spec.body.description ? { description: spec.body.description } : {}),
            content: { 'application/json': { schema: spec.body.schema, examples: spec.body.examples } },
          },
        }
      : {}),
    responses,
  };
}

/** A success answer with a JSON body. */
export const ok = (
  description: string,
  schema: object,
  example: unknown,
  headers: HeaderRef[] = [],
) => ({
  description,
  headers: responseHeaders(headers),
  content: { 'application/json': { schema, example } },
});

export const notModified = () => ({
  description: 'Not Modified: the `If-None-Match` ETag still matches; no body.',
  headers: responseHeaders(['ETag', 'Cache-Control']),
});

export const pathParam = (name: string, schema: object, description: string, example: unknown) => ({
  name, in: 'path', required: true, description, schema, example,
});

/** One parameter per field of a route's query schema; required when the field has no default and is not optional. */
export function queryParams(schema: { shape: Record<string, unknown> }, descriptions: Record<string, string> = {}) {
  return Object.entries(schema.shape).map(([name, s]) => {
    const field = s as Parameters<typeof json>[0];
    const description = descriptions[name] ?? field.description;
    return { name, in: 'query', required: !field.safeParse(undefined).success, ...(description ? { description } : {}), schema: json(field, 'input') };
  });
}

