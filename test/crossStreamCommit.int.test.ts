// The pool shard commits the groups of several streams together (tt_append_batch). Called here on
// the shard object itself, as stream objects do, against the real Postgres.
import { Client } from '@neondatabase/serverless';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { configureDriver } from '../src/db/client';
import { shipmentStream, sql } from './helpers/api';

type Outcome = { ok: true; rows: { r: any }[] } | { ok: false; transient: boolean; code?: string; message: string };
type Shard = { append(g: object): Promise<Outcome> };

const shard = (name: string) => (env as Env).DB_POOL.get((env as Env).DB_POOL.idFromName(name)) as unknown as Shard;
const tenant = () => `cross-${crypto.randomUUID().slice(0, 8)}`;
const event = (id = crypto.randomUUID()) => ({
  id, type: 'ShipmentStatusRecorded', schemaVersion: 1, occurredAt: '2026-11-20T10:00:00.000Z', location: 'LIM',
  data: { code: 'RCS', pieces: 1, weightKg: 5 }, metadata: {}, correlationId: null, causationId: null,
});
const group = (tenantId: string, streamId: string, requests: object[]) => ({
  tenantId, streamId, entityType: 'shipment', requests: JSON.stringify(requests), events: requests.length,
});

describe('cross-stream group commit in a pool shard', () => {
  it('commits the groups that wait together in one transaction, each with its own result', async () => {
    const t = tenant();
    const pool = shard(`cross-${t}`);
    const streams = Array.from({ length: 12 }, () => shipmentStream());
    const outs = await Promise.all(streams.map((s) => pool.append(group(t, s, [{ expected: 'no_stream', events: [event(), event()] }]))));
    for (const out of outs) {
      expect(out.ok).toBe(true);
      const r = (out as Extract<Outcome, { ok: true }>).rows[0]!.r;
      expect(r.version).toBe(2);
      expect(r.results).toEqual([{ status: 201, fromVersion: 1, toVersion: 2, positions: expect.any(Array) }]);
      expect(r.rendered).toHaveLength(2);
    }
    const rows = await sql<{ stream_id: string; n: number; xids: number }>(
      `select stream_id, count(*)::int as n, count(distinct transaction_id)::int as xids from events where tenant_id = $1 group by stream_id`, [t]);
    expect(rows).toHaveLength(12);
    expect(rows.every((r) => r.n === 2 && r.xids === 1)).toBe(true);
    const commits = (await sql<{ commits: number }>('select count(distinct transaction_id)::int as commits from events where tenant_id = $1', [t]))[0]!.commits;
    expect(commits).toBeLessThan(12); // the first goes alone; the ones that waited for it, together
  });

  it('checks each group against its own stream: versions, refusals and replays stay per stream', async () => {
    const t = tenant();
    const pool = shard(`cross-${t}`);
    const [a, b, c] = [shipmentStream(), shipmentStream(), shipmentStream()];
    const seen = event();
    const first = await pool.append(group(t, a, [{ expected: 'no_stream', events: [seen] }]));
    expect(first.ok).toBe(true);
    const [ra, rb, rc] = await Promise.all([
      pool.append(group(t, a, [{ expected: 0, events: [event()] }, { expected: 1, events: [event()] }])),
      pool.append(group(t, b, [{ expected: 'any', events: [event()] }])),
      pool.append(group(t, c, [{ expected: 'any', events: [seen] }])), // an id stored on stream a
    ]);
    const r = (o: Outcome) => (o as Extract<Outcome, { ok: true }>).rows[0]!.r;
    expect(r(ra).results).toEqual([
      { status: 409, code: 'wrong_expected_version', currentVersion: 1 },
      { status: 201, fromVersion: 2, toVersion: 2, positions: [expect.any(Number)] },
    ]);
    expect(r(rb).results[0]).toMatchObject({ status: 201, fromVersion: 1, toVersion: 1 });
    expect(r(rc).results[0]).toMatchObject({ status: 409, code: 'event_id_conflict' });
    const stored = await sql<{ stream_id: string; version: number }>('select stream_id, version::int from streams where tenant_id = $1 order by version', [t]);
    expect(Object.fromEntries(stored.map((s) => [s.stream_id, s.version]))).toEqual({ [a]: 2, [b]: 1 });
  });

  it('a group Postgres refuses fails alone; the others that shared its batch are committed', async () => {
    const t = tenant();
    const pool = shard(`cross-${t}`);
    const [a, b, c] = [shipmentStream(), shipmentStream(), shipmentStream()];
    const bad = { ...event(), occurredAt: 'not a time' }; // passes no validation here: Postgres refuses it (22007)
    const [ra, rb, rc] = await Promise.all([
      pool.append(group(t, a, [{ expected: 'any', events: [event()] }])),
      pool.append(group(t, b, [{ expected: 'any', events: [bad] }])),
      pool.append(group(t, c, [{ expected: 'any', events: [event()] }])),
    ]);
    expect(ra.ok).toBe(true);
    expect(rc.ok).toBe(true);
    expect(rb).toMatchObject({ ok: false, transient: false, code: '22007' });
    const stored = await sql<{ stream_id: string }>('select stream_id from events where tenant_id = $1 order by stream_id', [t]);
    expect(stored.map((s) => s.stream_id).sort()).toEqual([a, c].sort());
  });

  it('a retry that waited for its original to commit gets 200 with the original versions, never 409', async () => {
    const t = tenant();
    const s = shipmentStream();
    const append = 'select tt_append_fast($1, $2, $3, $4::jsonb) as r';
    await sql(append, [t, s, 'shipment', JSON.stringify([{ expected: 'no_stream', events: [event()] }])]);
    const request = JSON.stringify([{ expected: 1, events: [event()] }]);
    configureDriver(env as Env);
    const original = new Client({ connectionString: (env as Env).DATABASE_URL });
    original.on('error', () => {}); // the relay drops the socket at end(); nothing to report
    await original.connect();
    try {
      await original.query('begin');
      const first = (await original.query(append, [t, s, 'shipment', request])).rows[0].r;
      expect(first.results[0]).toMatchObject({ status: 201, fromVersion: 2 });
      const retry = sql<{ r: any }>(append, [t, s, 'shipment', request]); // waits for the stream's lock
      await new Promise((r) => setTimeout(r, 300));
      await original.query('commit');
      const [{ r }] = (await retry) as [{ r: any }];
      expect(r.results[0]).toMatchObject({ status: 200, fromVersion: 2, toVersion: 2, positions: first.results[0].positions });
    } finally {
      await original.end();
    }
    expect(await sql('select version::int from events where tenant_id = $1 order by version', [t])).toEqual([{ version: 1 }, { version: 2 }]);
  });
});
