import { describe, expect, it } from 'vitest';
import { api, ev, shipmentStream, sql } from './helpers/api';

describe('batch upload', () => {
  it('answers every item in request order, keeping order within a stream', async () => {
    const [a, b] = [shipmentStream(), shipmentStream()];
    const dup = crypto.randomUUID();
    const res = await api('POST', '/v1/events:batch', {
      body: {
        items: [
          { streamId: a, events: [ev({ id: dup })] },
          { streamId: b, expectedVersion: 'no_stream', events: [ev(), ev()] },
          { streamId: a, expectedVersion: 1, events: [ev({ data: { code: 'FOH', pieces: 3, weightKg: 120 } })] },
          { streamId: a, expectedVersion: 1, events: [ev()] }, // stale: a is at 2 by now
          { streamId: 'shipment-045-12345670', events: [ev()] }, // bad check digit
          { streamId: a, events: [ev({ id: dup })] }, // a retry of item 0
          { streamId: b, events: [ev({ type: '??' })] },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: any) => i.status)).toEqual([201, 201, 201, 409, 400, 200, 400]);
    expect(res.body.items[0]).toMatchObject({ streamId: a, fromVersion: 1, toVersion: 1 });
    expect(res.body.items[1]).toMatchObject({ streamId: b, fromVersion: 1, toVersion: 2 });
    expect(res.body.items[2]).toMatchObject({ streamId: a, fromVersion: 2, toVersion: 2 });
    expect(res.body.items[3]).toMatchObject({ streamId: a, code: 'wrong_expected_version', currentVersion: 2 });
    expect(res.body.items[4]).toMatchObject({ streamId: 'shipment-045-12345670', code: 'validation_failed' });
    expect(res.body.items[5]).toMatchObject({ streamId: a, fromVersion: 1, toVersion: 1, positions: res.body.items[0].positions });
    const rows = await sql('select stream_id, version, data->>\'code\' as code from events where stream_id = any($1) order by stream_id, version', [[a, b]]);
    expect(rows.filter((r) => r.stream_id === a).map((r) => r.code)).toEqual(['RCS', 'FOH']);
    expect(rows.filter((r) => r.stream_id === b)).toHaveLength(2);
  });

  it('refuses more than 500 events in all, storing nothing', async () => {
    const s = shipmentStream();
    const items = Array.from({ length: 6 }, () => ({ streamId: s, events: Array.from({ length: 100 }, () => ev()) }));
    const res = await api('POST', '/v1/events:batch', { body: { items } });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('too_many_events');
    expect((await sql('select 1 from events where stream_id = $1', [s])).length).toBe(0);
  });

  it('answers a null or non-object item alone with its 400, storing the valid ones', async () => {
    const s = shipmentStream();
    const res = await api('POST', '/v1/events:batch', { body: { items: [{ streamId: s, events: [ev()] }, null, 7, 'x', [], { streamId: s, events: [ev()] }] } });
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: any) => i.status)).toEqual([201, 400, 400, 400, 400, 201]);
    expect(res.body.items[1]).toMatchObject({ streamId: null, code: 'validation_failed' });
    expect((await sql('select version from events where stream_id = $1 order by version', [s])).map((r) => Number(r.version))).toEqual([1, 2]);
  });

  it('rejects a batch that is not a list of items', async () => {
    for (const body of [{ items: [] }, { items: 'x' }, { streamId: 'x' }]) {
      const res = await api('POST', '/v1/events:batch', { body });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
  });
});
