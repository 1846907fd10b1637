// Headers a client sees, and headers it may send, kept once in components and referred to by name
// so every operation describes them alike.

export const RESPONSE_HEADERS = {
  'X-Request-Id': {
    description: 'The id of this request: the `X-Request-Id` the client sent (1-128 of letters, digits, `_`, `-`, `=`), or a generated UUID. Also `requestId` in problems; quote it when reporting an issue.',
    required: true,
    schema: { type: 'string', pattern: '^[A-Za-z0-9_=-]{1,128}$' },
  },
  traceresponse: {
    description: 'W3C Trace Context (Level 2) `traceresponse`: `00-<trace id>-<span id>-<flags>` of this request\'s server span. The trace id is the one of the `traceparent` you sent (a valid one), or a new one; flag `01` means it was sampled and its spans exported. Quote it with the request id.',
    schema: { type: 'string', pattern: '^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$' },
  },
  ETag: {
    description: 'The stream (or read-model row) version as a strong entity tag: `"<version>"`. Send it back as `If-None-Match` (reads) or `If-Match` (appends).',
    required: true,
    schema: { type: 'string', pattern: '^"[0-9]+"$' },
  },
  'Cache-Control': { description: 'Reads: `private, no-cache` (revalidate with `If-None-Match`); the reference script: `public, max-age=3600`; metrics: `no-store`.', required: true, schema: { type: 'string' } },
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
  Upgrade: { description: 'The protocol this route needs.', required: true, schema: { type: 'string', const: 'websocket' } },
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
    ['X-Request-Id', 'traceresponse', ...names.filter((n) => n !== 'X-Request-Id' && n !== 'traceresponse')].map((n) => {
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
  LastEventId: {
    name: 'Last-Event-ID', in: 'header', required: false,
    description: 'Server-Sent Events resume: the `id` of the last event received (the browser sends it when it reconnects); same as `cursor`.',
    schema: { type: 'string', pattern: '^[0-9]{1,15}$' },
  },
} as const;
export type RequestHeader = keyof typeof REQUEST_HEADERS;
export const header = (name: RequestHeader) => ({ $ref: `#/components/parameters/${name}` });
