import { describe, expect, it } from 'vitest';
import { api } from './helpers/api';

describe('the contract', () => {
  it('serves OpenAPI 3.1 covering every route the app has', async () => {
    const res = await api('GET', '/openapi.json', { token: null });
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const documented = Object.entries(res.body.paths).flatMap(([path, ops]) => Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${path}`));
    for (const op of ['POST /v1/streams/{streamId}/events', 'GET /v1/streams/{streamId}/events', 'GET /v1/streams/{streamId}', 'GET /v1/streams/{streamId}/state',
      'POST /v1/events:batch', 'POST /v1/shipments/{entityId}/statuses', 'POST /v1/flights/{entityId}/milestones', 'POST /v1/baggage/{entityId}/scans']) {
      expect(documented).toContain(op);
    }
    expect(res.body.components.schemas['FlightStatusChanged.v1']).toBeTruthy();
    expect(res.body.components.schemas['FlightStatusChanged.v2'].required).toContain('updatedBy');
  });

  it('serves a browsable page without a token', async () => {
    const res = await api('GET', '/docs', { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.text).toContain('/v1/streams/{streamId}/events');
  });
});
