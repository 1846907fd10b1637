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
      'POST /v1/events:batch', 'POST /v1/shipments/{entityId}/statuses', 'POST /v1/flights/{entityId}/milestones', 'POST /v1/baggage/{entityId}/scans']) {
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
    const params = (path: string, method = 'get') => Object.fromEntries(doc.paths[path][method].parameters.map((p: any) => [p.name, p]));
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
    expect(doc.paths['/v1/entities/{entityType}/{entityId}'].get.security).toEqual([{ bearer: [] }]);
  });

  it('documents scopes and the partner carriers claim', async () => {
    const { body: doc } = await api('GET', '/openapi.json', { token: null });
    for (const text of [doc.info.description, doc.components.securitySchemes.bearer.description]) {
      for (const word of ['tracking:read', 'tracking:write', 'tracking:admin', 'tracking:operator', 'carriers', 'AUTH_CARRIERS_CLAIM', 'partner_read_only', '404']) {
        expect(text).toContain(word);
      }
    }
    expect(doc.paths['/v1/admin/projections/{name}/rebuild'].post.description).toContain('tracking:operator');
  });

  it('serves a browsable page without a token', async () => {
    const res = await api('GET', '/docs', { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.text).toContain('/v1/streams/{streamId}/events');
    expect(res.text).toContain('/v1/flights/{flightId}/manifest');
  });
});
