// The public routes: the contract itself, its rendered reference, and health checks for load
// balancers; none takes a token.
import { responseHeaders } from './headers';
import { ref } from './jsonSchema';
import { ok, operation } from './oas';
import type { Collector } from './problems';

export function contractPaths(col: Collector) {
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
    '/metrics': {
      get: {
        ...operation(col, {
          id: 'getMetrics', tag: 'Health', scopes: ['tracking:operator'], partner: 'refused', rateLimited: false,
          summary: 'Prometheus metrics of the whole deployment',
          description: 'Prometheus text (format 0.0.4): requests by route and status, append and command latency, group-commit sizes, conflicts, idempotent replays, Postgres round trips and errors, queue messages, rate-limit refusals and live subscriptions, summed across every isolate (each flushes its counts every `METRICS_FLUSH_S` seconds to one aggregating object); projection lag, outbox backlog and dead letters are read from Postgres at each scrape. Scrape it with `METRICS_TOKEN` or an operator token.',
          responses: { '200': { description: 'Prometheus text', headers: responseHeaders(['Cache-Control']), content: { 'text/plain': { schema: { type: 'string' }, example: '# HELP tt_http_requests_total HTTP requests by route pattern, method, status and Worker version id.\n# TYPE tt_http_requests_total counter\ntt_http_requests_total{route="/v1/streams/:streamId/events",method="POST",status="201",version="local"} 42\n' } } } },
        }),
        security: [{ operatorToken: [] }, { metricsToken: [] }],
      },
    },
    '/health/ready': {
      get: publicOp('healthReady', 'Health', 'Readiness: writes accepted and reads fresh',
        'Ready: Postgres answers, the events queue is bound, and the read models are within `READY_MAX_LAG_S` seconds (default 60) and `READY_MAX_BACKLOG` waiting commits (default 10,000) of the event store. For monitors and deploy checks; the body names the failing check and its numbers.', {
        '200': ok('Ready', ref('HealthReady'), {
          status: 'ready', checks: { queue: 'ok', postgres: 'ok', projections: 'ok' },
          readSide: { lagSeconds: 0.2, backlog: 3, deadLetters: 0, oldestOpenTransactionSeconds: 0 }, thresholds: { maxLagSeconds: 60, maxBacklog: 10000 },
        }),
        '503': ok('Not ready: a check failed', ref('HealthReady'), {
          status: 'unavailable', checks: { queue: 'ok', postgres: 'ok', projections: 'lagging' },
          readSide: { lagSeconds: 184.5, backlog: 12840, deadLetters: 2, oldestOpenTransactionSeconds: 0.4 }, thresholds: { maxLagSeconds: 60, maxBacklog: 10000 },
        }),
      }),
    },
  };
}
