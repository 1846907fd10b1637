// Live subscriptions in the contract: GET /v1/subscriptions/ws (101 Switching Protocols) and
// GET /v1/subscriptions/sse (text/event-stream). The messages themselves are described in prose and
// by an example: OpenAPI has no vocabulary for what flows after the upgrade.
import { LIMITS, sseQuerySchema, subscribeQuerySchema } from '../subscriptions/filters';
import { EX } from './examples';
import { header, responseHeaders } from './headers';
import { operation, queryParams } from './oas';
import type { Collector } from './problems';

const FILTERS = {
  entity: 'one entity: `{entityType}/{entityId}`',
  flight: 'the flight, and what its status row links to it',
  location: 'an airport (`LIM`) or a place and everything under it (`LIM/WH2` also gets `LIM/WH2/B-14`)',
  type: 'one entity type',
  cursor: 'resume after this `cursor` (the last one received): buffered changes after it come first, in order',
  tenant: 'WebSocket without an Authorization header only (browsers): the tenant; the token then comes in the first message and must name it',
};

const MESSAGE = {
  type: 'change', cursor: 1842, streamId: `shipment-${EX.awb}`, entityType: 'shipment', entityId: EX.awb, version: 3, position: 99121,
  event: { type: 'ShipmentStatusRecorded', occurredAt: EX.at, recordedAt: EX.recordedAt, location: 'LIM/WH2', data: { code: 'RCS', pieces: 3, weightKg: 120 } },
  status: { entityType: 'shipment', entityId: EX.awb, streamId: `shipment-${EX.awb}`, status: 'RCS', location: 'LIM/WH2', airport: 'LIM', version: 3, '…': '…' },
};

const PROTOCOL = [
  'Every change the caller may see (partner rules of the read side apply; equipment never reaches a partner), as JSON:',
  '`{"type":"change","cursor":n,…}` with the event and the entity’s status right after it (the body of `GET /v1/entities/{type}/{id}`).',
  'All filters given must match; none: every visible change of the tenant.',
  `Resuming: pass the last \`cursor\` received; changes after it are replayed in order before live ones, nothing twice. A hub keeps the last ${LIMITS.bufferChanges.toLocaleString('en')} changes of its tenant, none older than ${LIMITS.bufferMs / 60_000} minutes:`,
  'a cursor it cannot serve gets `{"type":"resync","cursor":n}`: refetch state over HTTP, then carry on from `n`. After the replay comes `{"type":"ready","cursor":n}`.',
  'A deploy drops every socket: reconnecting with the last cursor is the normal path.',
  `Limits: ${LIMITS.perSubject} open subscriptions per token subject (429 \`too_many_subscriptions\`), ${LIMITS.perHub.toLocaleString('en')} per tenant (503 \`subscriptions_full\`).`,
].join(' ');

export function subscriptionPaths(col: Collector) {
  const params = queryParams(subscribeQuerySchema, FILTERS);
  return {
    '/v1/subscriptions/ws': {
      get: operation(col, {
        id: 'subscribeWebSocket',
        tag: 'Read models',
        scopes: ['tracking:read'],
        partner: 'filtered',
        summary: 'Live changes over a WebSocket',
        description: [
          'Upgrades to a WebSocket (`Upgrade: websocket`; anything else is 426). The token goes in the Authorization header;',
          `a browser, which cannot set it, passes \`tenant\` and sends \`{"type":"auth","token":"…","cursor":n?}\` as its first message within ${LIMITS.authTimeoutMs / 1000} s.`,
          'Never put a token in the URL. Close codes: 4400 a first message that is not auth, 4401 a token that does not verify or has expired, 4403 another tenant or no `tracking:read`,',
          `4408 no auth message in time, 4429 too many subscriptions. \`{"type":"ping"}\` is answered \`{"type":"pong"}\`. ${PROTOCOL}`,
        ].join(' '),
        parameters: params,
        responses: {
          '101': {
            headers: responseHeaders([]),
            description: `Switching Protocols: the socket then carries messages such as ${JSON.stringify(MESSAGE)}`,
          },
        },
        problems: { 400: ['validation_failed'], 426: ['upgrade_required'], 429: ['too_many_subscriptions'], 503: ['subscriptions_full'] },
        rateLimited: false, // mounted before the /v1/* request limits; limited by open subscriptions instead
        notes: { 401: 'Only when an Authorization header is sent, or the request is not an upgrade.' },
        problemHeaders: [],
      }),
    },
    '/v1/subscriptions/sse': {
      get: operation(col, {
        id: 'subscribeSse',
        tag: 'Read models',
        scopes: ['tracking:read'],
        partner: 'filtered',
        summary: 'Live changes as Server-Sent Events',
        description: [
          'The same changes for clients that cannot keep WebSockets: each as `id: <cursor>`, `event: change` (or `resync`, `ready`), `data: <the JSON message>`.',
          `\`Last-Event-ID\` (sent by browsers when they reconnect) or \`cursor\` resumes. A comment every ${LIMITS.heartbeatMs / 1000} s keeps proxies from closing a quiet stream;`,
          `a client that does not read is dropped and resumes. ${PROTOCOL}`,
        ].join(' '),
        parameters: [...queryParams(sseQuerySchema, FILTERS), header('LastEventId')],
        responses: {
          '200': {
            description: 'An endless event stream (`Cache-Control: no-store`)',
            headers: responseHeaders(['Cache-Control']),
            content: { 'text/event-stream': { schema: { type: 'string' }, example: `id: 1842\nevent: change\ndata: ${JSON.stringify(MESSAGE)}\n\n` } },
          },
        },
        problems: { 400: ['validation_failed', 'invalid_header'], 429: ['too_many_subscriptions'], 503: ['subscriptions_full'] },
        rateLimited: false,
      }),
    },
  };
}
