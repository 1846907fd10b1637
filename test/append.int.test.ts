import { describe, expect, it } from 'vitest';
import { api, ev, shipmentStream, sql } from './helpers/api';

describe('append', () => {
  it('appends events and reads them back', async () => {
    const s = shipmentStream();
    const res = await api('POST', `/v1/streams/${s}/events`, { body: { events: [ev(), ev({ data: { code: 'FOH', pieces: 3, weightKg: 120 } })] } });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ streamId: s, fromVersion: 1, toVersion: 2 });
    expect(res.body.positions).toHaveLength(2);
    const rows = await sql('select version, event_type from events where stream_id = $1 order by version', [s]);
    expect(rows.map((r) => Number(r.version))).toEqual([1, 2]);
    const read = await api('GET', `/v1/streams/${s}/events`);
    expect(read.status).toBe(200);
    expect(read.body.events.map((e: any) => e.data.code)).toEqual(['RCS', 'FOH']);
  });
});
