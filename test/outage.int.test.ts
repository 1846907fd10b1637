// Postgres goes away in the middle of appends, and the read side falls behind. This file runs in its
// own vitest project with its own Postgres (see vitest.config.ts), so neither disturbs the other tests.
import { describe, expect, it } from 'vitest';
import { api, controlPostgres, eventually, ev, shipmentStream, sql, token } from './helpers/api';

describe('Postgres outage', () => {
  it('fails appends with 503 while Postgres is down, loses nothing acknowledged, and recovers', async () => {
    const s = shipmentStream();
    const acked = new Map<string, number>();
    const failed: string[] = [];
    const statuses: number[] = [];
    let slowest = 0;

    const appendOne = async () => {
      const id = crypto.randomUUID();
      const t = Date.now();
      const res = await api('POST', `/v1/streams/${s}/events`, { body: { events: [ev({ id })] } });
      slowest = Math.max(slowest, Date.now() - t);
      statuses.push(res.status);
      if (res.status === 201) acked.set(id, res.body.toVersion);
      else {
        expect(res.status).toBe(503);
        expect(res.headers.get('content-type')).toBe('application/problem+json');
        expect(res.headers.get('retry-after')).toBeTruthy();
        failed.push(id);
      }
      return res.status;
    };

    for (let i = 0; i < 5; i++) expect(await appendOne()).toBe(201);
    // writers keep going while Postgres stops under them
    const writers = Array.from({ length: 4 }, async () => { for (let i = 0; i < 5; i++) await appendOne(); });
    await new Promise((r) => setTimeout(r, 20));
    expect((await controlPostgres('stop')).status).toBe(204);
    await Promise.all(writers);
    for (let i = 0; i < 3; i++) expect(await appendOne()).toBe(503);
    // the read models answer 503 too, never 500
    for (const path of [`/v1/entities/shipment/${s.slice(9)}`, '/v1/entities?type=shipment', '/v1/admin/projections']) {
      const res = await api('GET', path, { token: await token({ scope: 'tracking:read tracking:operator' }) });
      expect(res.status, path).toBe(503);
      expect(res.body.code).toBe('database_unavailable');
    }
    expect((await api('GET', '/health/ready', { token: null })).status).toBe(503);

    expect((await controlPostgres('start')).status).toBe(204);
    let recovered = false;
    for (let i = 0; i < 20 && !recovered; i++) recovered = (await appendOne()) === 201;
    expect(recovered).toBe(true);
    expect(slowest).toBeLessThan(12_000); // failed fast, never hung

    // every acknowledged event is stored, once, at the version we were told
    const rows = await sql<{ event_id: string; version: string }>('select event_id, version from events where stream_id = $1 order by version', [s]);
    const stored = new Map(rows.map((r) => [r.event_id, Number(r.version)]));
    for (const [id, version] of acked) expect(stored.get(id)).toBe(version);
    expect(rows.map((r) => Number(r.version))).toEqual(rows.map((_, i) => i + 1));

    // a site retrying what failed gets each event stored exactly once
    for (const id of failed) {
      const res = await api('POST', `/v1/streams/${s}/events`, { body: { events: [ev({ id })] } });
      expect([200, 201]).toContain(res.status);
    }
    const after = await sql<{ n: string; distinct_ids: string; max: string }>(
      'select count(*) as n, count(distinct event_id) as distinct_ids, max(version) as max from events where stream_id = $1', [s]);
    expect(Number(after[0]!.n)).toBe(acked.size + failed.length);
    expect(Number(after[0]!.distinct_ids)).toBe(Number(after[0]!.n));
    expect(Number(after[0]!.max)).toBe(Number(after[0]!.n));
    expect(statuses.filter((x) => x === 503).length).toBeGreaterThanOrEqual(3);
  });
});

describe('readiness while the read side lags', () => {
  it('is not ready while a commit waits longer than READY_MAX_LAG_S', async () => {
    // the oldest waiting commit is the lowest id: let the sweep apply what the outage left first
    await eventually(async () => Number((await sql<{ n: string }>('select count(*) as n from outbox'))[0]!.n) === 0, 25_000);
    const [row] = await sql<{ id: string }>(
      `insert into outbox (tenant_id, stream_id, from_version, to_version, created_at) values ($1, 'shipment-045-00000000', 1, 1, now() - interval '2 minutes') returning id`,
      ['lag-test'],
    );
    try {
      const res = await api('GET', '/health/ready', { token: null });
      expect(res.status).toBe(503);
      expect(res.body.checks.projections).toBe('lagging');
      expect(res.body.readSide.lagSeconds).toBeGreaterThan(60);
    } finally {
      await sql('delete from outbox where id = $1', [row!.id]);
    }
  });
});
