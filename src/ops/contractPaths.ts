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
    '/health/ready': {
      get: publicOp('healthReady', 'Health', 'Readiness: Postgres reachable and the events queue bound', 'For load balancers and deploy checks.', {
        '200': ok('Ready', ref('HealthReady'), { status: 'ready', checks: { queue: 'ok', postgres: 'ok' } }),
        '503': ok('Not ready: a check failed', ref('HealthReady'), { status: 'unavailable', checks: { queue: 'ok', postgres: 'unreachable' } }),
      }),
    },
  };
}
