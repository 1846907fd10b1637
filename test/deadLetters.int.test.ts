// What the consumer cannot apply is kept, shown and replayable; what the queue never got still arrives.
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { StreamObject } from '../src/streams/streamObject';
import { api, awb, eventually, ev, sql, token } from './helpers/api';

const testEnv = env as Env;
const operator = () => token({ scope: 'tracking:read tracking:operator' });

describe('dead letters', () => {
  it('parks a message whose events are not in the store, shows it, and replays it once they are', async () => {
    const id = awb();
    const s = `shipment-${id}`;
    // a pointer to versions that were never committed: every delivery fails, then the DLQ has it
    await testEnv.EVENTS_QUEUE.send({ tenantId: 'tenant-a', streamId: s, fromVersion: 1, toVersion: 1 }, { contentType: 'json' });
    const auth = await operator();
    const letter = await eventually(async () => {
      const r = await api('GET', '/v1/admin/dead-letters', { token: auth });
      return r.body.items.find((d: any) => d.body?.streamId === s);
    }, 20_000);
    expect(letter).toMatchObject({ queue: 'tracktrace-events', tenantId: 'tenant-a', replayedAt: null });
    expect(letter.attempts).toBeGreaterThanOrEqual(1);
    expect((await api('GET', '/v1/admin/projections/status', { token: auth })).body.deadLetters).toBeGreaterThanOrEqual(1);
    // a tenant admin of another tenant does not see it; replay needs an operator
    const other = await api('GET', '/v1/admin/dead-letters', { token: await token({ tenant: 'tenant-b', scope: 'tracking:admin' }) });
    expect(other.body.items.some((d: any) => d.body?.streamId === s)).toBe(false);
    expect((await api('POST', `/v1/admin/dead-letters/${letter.id}/replay`, { token: await token({ scope: 'tracking:admin' }) })).status).toBe(403);

    // the fix: the event is there now (written without an outbox row, so only the replay can apply it)
    await sql(`insert into streams (tenant_id, stream_id, entity_type, version) values ('tenant-a', $1, 'shipment', 1)`, [s]);
    await sql(`insert into events (tenant_id, stream_id, version, event_id, event_type, schema_version, data, location, occurred_at)
               values ('tenant-a', $1, 1, gen_random_uuid(), 'ShipmentStatusRecorded', 1, '{"code":"RCS","pieces":7,"weightKg":70}', 'LIM', now())`, [s]);
    const replay = await api('POST', `/v1/admin/dead-letters/${letter.id}/replay`, { token: auth });
    expect(replay.status).toBe(202);
    expect(replay.body.replays).toBe(1);
    const status = await eventually(async () => {
      const r = await api('GET', `/v1/entities/shipment/${id}`);
      return r.status === 200 && r.body;
    });
    expect(status).toMatchObject({ status: 'RCS', pieces: 7 });
    const after = await api('GET', '/v1/admin/dead-letters', { token: auth });
    expect(after.body.items.some((d: any) => d.id === letter.id)).toBe(false); // replayed ones are listed on request only
    expect((await api('GET', '/v1/admin/dead-letters?includeReplayed=true', { token: auth })).body.items.some((d: any) => d.id === letter.id)).toBe(true);
  });

  it('keeps a malformed message at once instead of dropping it', async () => {
    const marker = crypto.randomUUID();
    await testEnv.EVENTS_QUEUE.send({ marker }, { contentType: 'json' });
    const auth = await operator();
    await eventually(async () => (await api('GET', '/v1/admin/dead-letters', { token: auth })).body.items.find((d: any) => d.body?.marker === marker));
  });

  it('answers bad replay ids with a problem', async () => {
    const auth = await operator();
    expect((await api('POST', '/v1/admin/dead-letters/abc/replay', { token: auth })).status).toBe(400);
    expect((await api('POST', '/v1/admin/dead-letters/999999999/replay', { token: auth })).status).toBe(404);
  });
});

describe('outbox', () => {
  it('applies a commit whose queue send failed (the outbox sweep)', async () => {
    const id = awb();
    const s = `shipment-${id}`;
    const stub = testEnv.STREAM.get(testEnv.STREAM.idFromName(`tenant-a/${s}`));
    let sends = 0;
    await runInDurableObject(stub, (object: StreamObject) => {
      const real = (object as unknown as { env: Env }).env;
      const failing = { send: async () => { sends++; throw new Error('queue unavailable'); } };
      (object as unknown as { env: Env }).env = { ...real, EVENTS_QUEUE: failing as unknown as Queue };
    });
    const res = await api('POST', `/v1/streams/${s}/events`, { body: { events: [ev({ data: { code: 'RCS', pieces: 9, weightKg: 90 } })] } });
    expect(res.status).toBe(201); // the commit stands: the event is acknowledged
    expect(sends).toBe(1);
    expect((await sql('select from_version, to_version from outbox where stream_id = $1', [s]))).toEqual([{ from_version: '1', to_version: '1' }]);
    const status = await eventually(async () => {
      const r = await api('GET', `/v1/entities/shipment/${id}`);
      return r.status === 200 && r.body;
    });
    expect(status).toMatchObject({ pieces: 9, version: 1 });
    await eventually(async () => (await sql('select 1 from outbox where stream_id = $1', [s])).length === 0);
  });
});
