// A rebuild while writers append: queries answer throughout, the new generation is switched in, and
// it equals a from-scratch build of the same events.
import { Client } from '@neondatabase/serverless';
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { configureDriver } from '../src/db/client';
import type { Projector } from '../src/projections/projector';
import { api, awb, eventually, ev, sql, token } from './helpers/api';

const indexNames = async () =>
  (await sql<{ indexname: string }>(`select indexname from pg_indexes where tablename in ('rm_status', 'rm_status_applied', 'rm_timeline')`)).map((r) => r.indexname);

const projectorStub = () => (env as Env).PROJECTOR.get((env as Env).PROJECTOR.idFromName('projector'));

const operator = () => token({ scope: 'tracking:read tracking:write tracking:operator' });

async function waitLive(name: string, generation: number, auth: string) {
  return eventually(async () => {
    const r = await api('GET', `/v1/admin/projections/${name}`, { token: auth });
    return r.body.state === 'live' && r.body.generation >= generation && r.body;
  }, 60_000);
}

/** The read models of this test's streams, as comparable rows. */
const snapshot = async (streams: string[]) => ({
  status: await sql(`select stream_id, status, location, pieces, version, details from rm_status where stream_id = any($1) order by stream_id`, [streams]),
  timeline: await sql(`select stream_id, version, description, local_time from rm_timeline where stream_id = any($1) order by stream_id, version`, [streams]),
});

describe('zero-downtime rebuild', () => {
  it('rebuilds status and timeline under concurrent appends without losing an event or a query', async () => {
    const auth = await operator();
    const streams = Array.from({ length: 3 }, () => `shipment-${awb()}`);
    const known = streams[0]!;
    for (const s of streams) expect((await api('POST', `/v1/streams/${s}/events`, { body: { events: [ev()] } })).status).toBe(201);
    await eventually(async () => (await api('GET', `/v1/entities/shipment/${known.slice(9)}`)).status === 200);

    const before = await api('GET', '/v1/admin/projections/status', { token: auth });
    const indexesBefore = await indexNames();
    let writing = true;
    let appended = streams.length;
    const writers = streams.map(async (s, i) => {
      for (let n = 0; writing; n++) {
        const res = await api('POST', `/v1/streams/${s}/events`, { body: { events: [ev({ data: { code: 'FOH', pieces: n + 1, weightKg: i + 1 } })] } });
        expect(res.status).toBe(201);
        appended++;
      }
    });
    const readerStatuses: number[] = [];
    const reader = (async () => {
      while (writing) {
        readerStatuses.push((await api('GET', `/v1/entities/shipment/${known.slice(9)}`)).status);
        readerStatuses.push((await api('GET', `/v1/entities/shipment/${known.slice(9)}/timeline?limit=5`)).status);
      }
    })();

    let done: any[];
    try {
      const started = await Promise.all(['status', 'timeline'].map((n) => api('POST', `/v1/admin/projections/${n}/rebuild`, { token: auth })));
      for (const s of started) expect(s.status).toBe(202);
      expect(started[0]!.body.generation).toBe(before.body.generation + 1);
      done = await Promise.all(started.map((s) => waitLive(s.body.name, s.body.generation, auth)));
    } finally {
      writing = false; // a failed wait must not leave writers running into the next test
      await Promise.all([...writers, reader]);
    }
    expect(done[0].lastRebuild.events).toBeGreaterThan(0);
    expect(readerStatuses.length).toBeGreaterThan(0);
    expect(readerStatuses.every((s) => s === 200)).toBe(true); // never an empty or missing read model

    // everything appended is applied: versions match the store, one timeline line per event
    await eventually(async () => {
      const rows = await sql<{ n: string }>(
        `select count(*) as n from streams s join rm_status r using (tenant_id, stream_id) where s.stream_id = any($1) and r.version = s.version`, [streams]);
      return Number(rows[0]!.n) === streams.length;
    });
    const events = await sql<{ n: string }>('select count(*) as n from events where stream_id = any($1)', [streams]);
    expect(Number(events[0]!.n)).toBe(appended);
    await eventually(async () => Number((await sql<{ n: string }>('select count(*) as n from rm_timeline where stream_id = any($1)', [streams]))[0]!.n) === appended);

    // and the generation built under load equals a build from scratch of the same events
    const underLoad = await snapshot(streams);
    const again = await api('POST', '/v1/admin/projections/status/rebuild', { token: auth });
    const againTimeline = await api('POST', '/v1/admin/projections/timeline/rebuild', { token: auth });
    await waitLive('status', again.body.generation, auth);
    await waitLive('timeline', againTimeline.body.generation, auth);
    expect(await snapshot(streams)).toEqual(underLoad);
    // the old generation's tables are gone, and the indexes kept the names migrations know
    const tables = await sql<{ relname: string }>(`select relname from pg_class where relname like 'rm\\_status%' and relkind = 'r' order by 1`);
    expect(tables.map((t) => t.relname)).toEqual(['rm_status', 'rm_status_applied']);
    expect((await indexNames()).sort()).toEqual(indexesBefore.sort());
  }, 90_000);

  it('keeps events that live batches applied while an older transaction held the log reader back', async () => {
    const projector = projectorStub();
    const started = (await projector.startRebuild('status')) as { ok: true; generation: number };
    expect(started.ok).toBe(true);
    configureDriver(env as Env);
    const slow = new Client({ connectionString: (env as Env).DATABASE_URL });
    slow.on('error', () => {});
    await slow.connect();
    try {
      // a transaction younger than the registration stays open: the log reader cannot read past it
      await slow.query('begin');
      await slow.query(`insert into events (tenant_id, stream_id, version, event_id, event_type, schema_version, data, occurred_at)
        values ('tenant-slow', 'shipment-045-12345675', 1, gen_random_uuid(), 'ShipmentStatusRecorded', 1, '{}', now())`);
      // events committed after it reach the live read model through the queue
      const ids = [awb(), awb(), awb()];
      for (const id of ids) expect((await api('POST', `/v1/streams/shipment-${id}/events`, { body: { events: [ev()] } })).status).toBe(201);
      for (const id of ids) await eventually(async () => (await api('GET', `/v1/entities/shipment/${id}`)).status === 200);
      // the rebuild finishes without reading them (they are past the open transaction)...
      for (let done = false; !done; ) done = (await projector.rebuildStep('status', started.generation)).done;
      // ...and still has them: the live batches wrote both generations
      for (const id of ids) expect((await api('GET', `/v1/entities/shipment/${id}`)).status).toBe(200);
    } finally {
      await slow.query('rollback').catch(() => {});
      await slow.end();
    }
  }, 60_000);

  it('runs one rebuild of a read model at a time, and shows its progress', async () => {
    const projector = projectorStub();
    const first = await projector.startRebuild('manifest');
    expect(first).toMatchObject({ ok: true });
    expect(await projector.startRebuild('manifest')).toEqual({ ok: false, code: 'rebuild_in_progress' });
    const auth = await operator();
    expect((await api('POST', '/v1/admin/projections/manifest/rebuild', { token: auth })).body.code).toBe('rebuild_in_progress');
    const running = await api('GET', '/v1/admin/projections/manifest', { token: auth });
    expect(running.body).toMatchObject({ state: 'rebuilding', rebuild: { generation: (first as { generation: number }).generation, events: 0 } });
    // the steps a rebuild queue message runs, driven directly here
    for (let done = false; !done; ) done = (await projector.rebuildStep('manifest', (first as { generation: number }).generation)).done;
    expect((await api('GET', '/v1/admin/projections/manifest', { token: auth })).body).toMatchObject({ state: 'live', generation: (first as { generation: number }).generation, rebuild: null });
  });

  it('resumes a rebuild whose queue message was lost', async () => {
    const projector = projectorStub();
    const started = (await projector.startRebuild('metrics')) as { ok: true; generation: number };
    expect(started.ok).toBe(true);
    // no message was sent (as if a local restart lost it); the build has been quiet for a minute
    await sql(`update projections set rebuild_progress_at = now() - interval '60 seconds' where name = 'metrics'`);
    await runInDurableObject(projector, (instance: Projector) => instance.alarm());
    const auth = await operator();
    await waitLive('metrics', started.generation, auth);
  });

  it('needs the operator scope to rebuild, and names known read models only', async () => {
    const admin = await token({ scope: 'tracking:read tracking:admin' });
    expect((await api('POST', '/v1/admin/projections/status/rebuild', { token: admin })).status).toBe(403);
    expect((await api('POST', '/v1/admin/projections/nope/rebuild', { token: await operator() })).status).toBe(400);
    expect((await api('GET', '/v1/admin/projections', { token: await token() })).status).toBe(403);
    const list = await api('GET', '/v1/admin/projections', { token: admin });
    expect(list.status).toBe(200);
    expect(list.body.items.map((p: any) => p.name)).toEqual(['manifest', 'metrics', 'status', 'timeline']);
    expect(list.body.items[0].tenant).toBe('tenant-a'); // a tenant admin sees its own tenant's figures
  });
});
