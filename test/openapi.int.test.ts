import { describe, expect, it } from 'vitest';
import { api } from './helpers/api';

const operations = (doc: any) => Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${path}`));

describe('the contract', () => {
  it('serves OpenAPI 3.1 covering every route the app has', async () => {
    const res = await api('GET', '/openapi.json', { token: null });
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const documented = operations(res.body);
    for (const op of ['POST /v1/streams/{streamId}/events', 'GET /v1/streams/{streamId}/events', 'GET /v1/streams/{streamId}', 'GET /v1/streams/{streamId}/state',
      'POST /v1/events:batch', 'POST /v1/shipments/{awb}/statuses', 'POST /v1/flights/{flightId}/milestones', 'POST /v1/baggage/{tag}/scans']) {
      expect(documented).toContain(op);
    }
    expect(res.body.components.schemas['FlightStatusChanged.v1']).toBeTruthy();
    expect(res.body.components.schemas['FlightStatusChanged.v2'].required).toContain('updatedBy');
  });

  it('documents the read side and the admin routes, with their parameters and answers', async () => {
    const { body: doc } = await api('GET', '/openapi.json', { token: null });
    const documented = operations(doc);
    for (const op of ['GET /v1/entities/{entityType}/{entityId}', 'GET /v1/entities/{entityType}/{entityId}/timeline', 'GET /v1/entities',
      'GET /v1/flights/{flightId}/manifest', 'GET /v1/metrics/operations', 'GET /v1/admin/projections', 'GET /v1/admin/projections/{name}',
      'POST /v1/admin/projections/{name}/rebuild', 'GET /v1/admin/dead-letters', 'POST /v1/admin/dead-letters/{id}/replay']) {
      expect(documented).toContain(op);
    }
    // parameters from the routes' zod schemas
    const params = (path: string, method = 'get') => Object.fromEntries(doc.paths[path][method].parameters.filter((p: any) => p.name).map((p: any) => [p.name, p]));
    const search = params('/v1/entities');
    expect(Object.keys(search)).toEqual(expect.arrayContaining(['type', 'status', 'statusNot', 'location', 'flight', 'updatedSince', 'cursor', 'limit']));
    expect(search.type.schema.enum).toEqual(['flight', 'shipment', 'baggage', 'uld', 'equipment']);
    expect(search.limit.schema).toMatchObject({ maximum: 200, default: 50 });
    expect(Object.keys(params('/v1/entities/{entityType}/{entityId}/timeline'))).toEqual(['entityType', 'entityId', 'cursor', 'limit']);
    const metrics = params('/v1/metrics/operations');
    expect(metrics.metric).toMatchObject({ required: true, schema: { enum: ['turnaround', 'delay', 'cargo_dwell', 'bag_accept_to_load', 'mishandled_per_1000'] } });
    expect(metrics.bucket.required).toBe(false);
    expect(params('/v1/admin/projections/{name}/rebuild', 'post').name.schema.enum).toEqual(expect.arrayContaining(['status', 'timeline', 'manifest', 'metrics']));
    // answers and problems
    const ok = (path: string, status = '200', method = 'get') => doc.paths[path][method].responses[status].content['application/json'].schema;
    expect(ok('/v1/entities/{entityType}/{entityId}').$ref).toBe('#/components/schemas/EntityStatus');
    expect(doc.components.schemas.EntityStatus.required).toEqual(expect.arrayContaining(['status', 'carriers', 'version', 'updatedAt']));
    expect(doc.components.schemas.FlightManifest.required).toEqual(expect.arrayContaining(['ulds', 'loose', 'totals']));
    expect(ok('/v1/admin/projections/{name}/rebuild', '202', 'post')).toBeTruthy();
    expect(doc.paths['/v1/admin/projections/{name}/rebuild'].post.responses['409']).toBeTruthy();
    expect(doc.paths['/v1/entities/{entityType}/{entityId}'].get.responses['404']).toBeTruthy();
    expect(doc.paths['/v1/entities/{entityType}/{entityId}'].get.security).toEqual([{ readToken: [] }, { partnerToken: [] }]);
  });

  it('documents scopes and the partner carriers claim', async () => {
    const { body: doc } = await api('GET', '/openapi.json', { token: null });
    for (const word of ['tracking:read', 'tracking:write', 'tracking:admin', 'tracking:operator', 'carriers', 'AUTH_CARRIERS_CLAIM', 'partner_read_only', '404']) {
      expect(doc.info.description).toContain(word);
    }
    for (const word of ['carriers', 'AUTH_CARRIERS_CLAIM', 'partner_read_only', '404', 'tracking:read']) expect(doc.components.securitySchemes.partnerToken.description).toContain(word);
    const schemes = (path: string, method: string) => doc.paths[path][method].security.map((r: object) => Object.keys(r)[0]);
    expect(schemes('/v1/admin/projections/{name}/rebuild', 'post')).toEqual(['operatorToken']);
    expect(schemes('/v1/admin/projections', 'get')).toEqual(['adminToken', 'operatorToken']);
    expect(schemes('/v1/streams/{streamId}/events', 'post')).toEqual(['writeToken']);
    expect(schemes('/v1/streams/{streamId}/events', 'get')).toEqual(['readToken', 'partnerToken']);
    for (const path of ['/health/live', '/health/ready', '/openapi.json', '/docs']) expect(doc.paths[path].get.security).toEqual([]);
    expect(doc.paths['/v1/admin/projections/{name}/rebuild'].post.description).toContain('tracking:operator');
  });

  it('gives every operation an id, a tag, its statuses and the request id header', async () => {
    const { body: doc } = await api('GET', '/openapi.json', { token: null });
    const ids = new Set<string>();
    const tags = new Set(doc.tags.map((t: { name: string }) => t.name));
    for (const [path, ops] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(ops)) {
        expect(op.operationId, `${method} ${path}`).toMatch(/^[a-z][A-Za-z]+$/);
        expect(ids.has(op.operationId)).toBe(false);
        ids.add(op.operationId);
        expect(tags.has(op.tags[0])).toBe(true);
        const statuses = Object.keys(op.responses);
        expect(statuses).toEqual(expect.arrayContaining(['405', '500']));
        if (path.startsWith('/v1/')) expect(statuses).toEqual(expect.arrayContaining(['401', '403', '503']));
        for (const [status, raw] of Object.entries<any>(op.responses)) {
          const r = raw.$ref ? doc.components.responses[raw.$ref.split('/').pop()] : raw;
          expect(r.headers['X-Request-Id'], `${method} ${path} ${status}`).toBeTruthy();
          if (Number(status) >= 400 && !(path === '/health/ready' && status === '503')) expect(Object.keys(r.content)).toEqual(['application/problem+json']);
        }
        if (method === 'post' && path !== '/v1/admin/projections/{name}/rebuild' && path !== '/v1/admin/dead-letters/{id}/replay') {
          expect(statuses).toEqual(expect.arrayContaining(['400', '413', '415']));
        }
      }
    }
    expect(doc.paths['/v1/shipments/{awb}/statuses'].post.responses['409'].content['application/problem+json'].schema.allOf[1].properties.code.enum)
      .toEqual(['status_after_delivery', 'location_required', 'delivery_before_receipt', 'delivered_exceeds_received', 'wrong_expected_version', 'concurrent_change']);
    expect(doc.components.schemas.Problem.properties.code.enum).toEqual(expect.arrayContaining(['validation_failed', 'event_id_conflict', 'tag_already_issued']));
    expect(doc.components.schemas.Problem.additionalProperties).toBe(false);
  });

  it('serves an interactive reference whose script comes from the API itself', async () => {
    const res = await api('GET', '/docs', { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.text).toContain('/docs/scalar.js');
    expect(res.text).not.toMatch(/src="https?:/);
    // the script itself is fetched by the conformance test and rendered by the browser test
  });
});
