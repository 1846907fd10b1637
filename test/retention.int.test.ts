// Retention: streams idle past their tenant's policy move whole to events_archive (every column as
// it was), their derived rows go, and they answer 410 stream_archived; nothing else is touched, a
// failed move deletes nothing, and runs resume and repeat safely. Other test files share this
// database: every run here is limited to this file's tenants, or finds nothing of theirs due (their
// tenants have no policy, so the P365D default protects them).
import { Client } from '@neondatabase/serverless';
import { env } from 'cloudflare:workers';
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { beforeAll, describe, expect, it } from 'vitest';
import { retentionAdminRoutes } from '../src/admin/retention';
import { app } from '../src/app';
import { configureDriver } from '../src/db/client';
import { MODELS } from '../src/domain/entities';
import type { AppEnv } from '../src/env';
import { authenticate } from '../src/http/auth';
import { ApiError, problem } from '../src/http/problem';
import { parseDuration } from '../src/retention/duration';
import { runRetention, type RetentionReport } from '../src/retention/job';
import { api, awb, type ApiResponse, eventually, ev, flightId, sql, token } from './helpers/api';
import { Contract } from './helpers/contract';

const testEnv = env as Env;
const id = () => crypto.randomUUID().slice(0, 8);
// Streams are made idle by moving their stream row's times back (what retention reads), not by waiting.
const T = `ret-t-${id()}`; // PT1H for shipments and flights; most of its streams made two hours idle
const U = `ret-u-${id()}`; // no policy: the P365D default; its stream as idle as T's
const V = `ret-v-${id()}`; // P1D for shipments; its stream made two days idle
const W = `ret-w-${id()}`; // PT1H: streams whose move must fail

/** Makes streams look idle for `idle` (their last append that long ago). */
const age = (tenant: string, streams: string[], idle: string) =>
  sql(`update streams set created_at = now() - $3::interval - interval '1 hour', updated_at = now() - $3::interval
        where tenant_id = $1 and stream_id = any($2)`, [tenant, streams, idle]);

const writer = (tenant: string) => token({ tenant, scope: 'tracking:read tracking:write' });

async function append(tenant: string, streamId: string, events: unknown[], expectedVersion?: unknown) {
  const res = await api('POST', `/v1/streams/${streamId}/events`, { token: await writer(tenant), body: { events, ...(expectedVersion === undefined ? {} : { expectedVersion }) } });
  return res;
}

const projected = (tenants: string[]) =>
  eventually(async () => Number((await sql<{ n: string }>('select count(*) as n from outbox where tenant_id = any($1)', [tenants]))[0]!.n) === 0, 20_000);

// every column of `events`, as text, in one order (the archive must hold exactly these)
const COLUMNS = `global_position::text, tenant_id, stream_id, version::text, event_id::text, event_type, schema_version::text, data::text,
  metadata::text, location, occurred_at::text, recorded_at::text, correlation_id::text, causation_id::text, transaction_id::text`;
const rowsOf = (table: 'events' | 'events_archive', tenant: string, streams: string[]) =>
  sql<Record<string, string>>(`select ${COLUMNS} from ${table} where tenant_id = $1 and stream_id = any($2) order by stream_id, version`, [tenant, streams]);

const streamRow = async (tenant: string, streamId: string) =>
  (await sql<{ version: string; archived_at: string | null }>('select version, archived_at from streams where tenant_id = $1 and stream_id = $2', [tenant, streamId]))[0];

// T's streams
const fid = flightId('LA');
const F = `flight-${fid}`;
const awbA = awb();
const [A, B, C] = [`shipment-${awbA}`, `shipment-${awb()}`, `shipment-${awb()}`];
const R = `shipment-${awb()}`; // in use: not aged
const H = `shipment-${awb()}`; // held: retain_until a day ahead
const mine = [F, A, B, C];
// others
const U1 = `shipment-${awb()}`;
const V1 = `shipment-${awb()}`;
let before: Record<string, string>[] = [];
let samplesBefore = 0;

beforeAll(async () => {
  await sql(`insert into retention_policies (tenant_id, entity_type, events_keep) values ($1, 'shipment', 'PT1H'), ($1, 'flight', 'PT1H'), ($2, 'shipment', 'P1D')`, [T, V]);
  const scheduled = { flightNumber: fid.split('-')[0], scheduledDeparture: '2026-11-22T14:05:00-05:00', scheduledArrival: '2026-11-22T20:35:00-03:00', origin: 'LIM', destination: 'SCL', aircraftRegistration: 'CC-BGA' };
  expect((await append(T, F, [{ type: 'FlightScheduled', location: 'LIM', data: scheduled }])).status).toBe(201);
  const ago = (s: number) => new Date(Date.now() - s * 1000).toISOString();
  expect((await append(T, A, [ev({ occurredAt: ago(120) }), ev({ occurredAt: ago(60), data: { code: 'DEP', pieces: 3, weightKg: 120, flight: fid } })])).status).toBe(201);
  for (const s of [B, C, R, H]) expect((await append(T, s, [ev(), ev({ data: { code: 'FOH', pieces: 3, weightKg: 120 } })])).status).toBe(201);
  for (const [tenant, s] of [[U, U1], [V, V1]] as const) expect((await append(tenant, s, [ev()])).status).toBe(201);
  await sql(`update streams set retain_until = now() + interval '1 day' where tenant_id = $1 and stream_id = $2`, [T, H]);
  await age(T, [...mine, H], '2 hours');
  await age(U, [U1], '2 hours');
  await age(V, [V1], '2 days');
  // A snapshot of A (as its object would save it): derived from A's events, it goes with them
  await sql(`insert into snapshots (tenant_id, stream_id, version, state_version, state) values ($1, $2, 2, $3, '{}')`, [T, A, MODELS.shipment.stateVersion]);
  await projected([T, U, V]);
  await eventually(async () => (await sql('select 1 from rm_manifest where tenant_id = $1 and flight_id = $2', [T, fid])).length > 0);
  samplesBefore = (await sql('select 1 from rm_metric_samples where tenant_id = $1 and stream_id = $2', [T, A])).length;
  before = await rowsOf('events', T, mine);
}, 60_000);

describe('retention', () => {
  it('reads ISO 8601 durations of fixed length and refuses the rest clearly', () => {
    expect(parseDuration('P365D')).toMatchObject({ ok: true, seconds: 365 * 86_400 });
    expect(parseDuration('P1DT6H30M')).toMatchObject({ ok: true, seconds: 86_400 + 6 * 3600 + 30 * 60 });
    expect(parseDuration('P4W')).toMatchObject({ ok: true, seconds: 28 * 86_400 });
    expect(parseDuration('PT1S')).toMatchObject({ ok: true, seconds: 1 });
    for (const bad of ['P1Y', 'P6M', 'P', 'PT', '365D', 'P1.5D', 'p30d', 'P0D', 'P99999D', 'P1DT', '', 'PT-1S']) {
      const r = parseDuration(bad);
      expect(r.ok, bad).toBe(false);
      expect(r.ok ? '' : r.message, bad).toMatch(/duration|years and months|at least|at most|no amount/);
    }
    expect(parseDuration('P1Y')).toMatchObject({ message: expect.stringContaining('years and months have no fixed length') });
  });

  it('moves idle streams whole, every column as it was, one run after another until none is left', async () => {
    const total = before.length;
    // whatever moment a reader looks, each stream's events are all in `events` or all in the archive
    let running = true;
    let looks = 0;
    let first: RetentionReport | undefined, second: RetentionReport | undefined, third: RetentionReport | undefined;
    const observer = (async () => {
      while (running) {
        const rows = await sql<{ stream_id: string; live: string; archived: string; version: string }>(
          `select s.stream_id, s.version,
                  (select count(*) from events e where e.tenant_id = s.tenant_id and e.stream_id = s.stream_id) as live,
                  (select count(*) from events_archive a where a.tenant_id = s.tenant_id and a.stream_id = s.stream_id) as archived
             from streams s where s.tenant_id = $1 and s.stream_id = any($2)`,
          [T, mine],
        );
        for (const r of rows) expect([[r.version, '0'], ['0', r.version]], r.stream_id).toContainEqual([r.live, r.archived]);
        looks++;
      }
    })();

    try {
      first = await runRetention(testEnv, { tenantId: T, limit: 1 });
      second = await runRetention(testEnv, { tenantId: T });
      third = await runRetention(testEnv, { tenantId: T });
    } finally {
      running = false;
      await observer;
    }
    expect(looks).toBeGreaterThan(0);
    expect(first!.archived).toHaveLength(1);
    expect(first!.failed).toEqual([]);
    expect(second!.failed).toEqual([]);
    expect([...first!.archived, ...second!.archived].map((a) => a.streamId).sort()).toEqual([...mine].sort());
    expect(third).toMatchObject({ candidates: 0, archived: [], failed: [] });

    expect(await rowsOf('events', T, mine)).toEqual([]);
    expect(await rowsOf('events_archive', T, mine)).toEqual(before); // byte for byte, every column
    expect(before).toHaveLength(total);
    // the archive has every column of events, and when it was archived
    const columns = (table: string) => sql<{ column_name: string; data_type: string }>(
      `select column_name, data_type from information_schema.columns where table_name = $1 and table_schema = current_schema() order by column_name`, [table]);
    expect(await columns('events_archive')).toEqual(expect.arrayContaining(await columns('events')));
    expect((await columns('events_archive')).map((c) => c.column_name)).toContain('archived_at');
    for (const s of mine) expect((await streamRow(T, s))!.archived_at).not.toBeNull();
    // moving an archived stream again is a no-op, not an error
    const again = await sql<{ r: { outcome: string } }>(`select tt_archive_stream($1, $2, now()) as r`, [T, A]);
    expect(again[0]!.r.outcome).toBe('already');
  });

  it('keeps what is in use, held, or another tenant’s under that tenant’s policy', async () => {
    for (const s of [R, H]) {
      expect((await streamRow(T, s))!.archived_at, s).toBeNull();
      expect((await sql('select 1 from events where tenant_id = $1 and stream_id = $2', [T, s])).length, s).toBeGreaterThan(0);
    }
    // V1 is due under V's own policy, but runs for T never touch it
    expect((await streamRow(V, V1))!.archived_at).toBeNull();
    // a run over every tenant: V1 goes by V's policy; U1, as old as T's streams, stays (U has the default)
    const all = await runRetention(testEnv, {});
    expect(all.archived.map((a) => a.streamId)).toContain(V1);
    for (const s of [U1, R, H]) expect(all.archived.map((a) => a.streamId)).not.toContain(s);
    expect((await streamRow(V, V1))!.archived_at).not.toBeNull();
    expect((await streamRow(U, U1))!.archived_at).toBeNull();
    expect((await streamRow(T, R))!.archived_at).toBeNull();
    expect((await streamRow(T, H))!.archived_at).toBeNull();
  });

  it('answers reads, appends, batches and commands of an archived stream with 410 stream_archived', async () => {
    const auth = await writer(T);
    const versionBefore = (await streamRow(T, A))!.version;
    const gone = (r: ApiResponse, what: string) => {
      expect(r.status, what).toBe(410);
      expect(r.headers.get('content-type'), what).toContain('application/problem+json');
      expect(r.body, what).toMatchObject({ status: 410, code: 'stream_archived', archivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) });
    };
    gone(await api('GET', `/v1/streams/${A}/events`, { token: auth }), 'read');
    gone(await api('GET', `/v1/streams/${A}/events?direction=backward&limit=1`, { token: auth }), 'read backward');
    gone(await api('GET', `/v1/streams/${A}`, { token: auth }), 'info');
    gone(await api('GET', `/v1/streams/${A}/state`, { token: auth }), 'state');
    gone(await append(T, A, [ev()]), 'append');
    gone(await append(T, A, [ev()], Number(versionBefore)), 'append at its version');
    gone(await append(T, A, [ev()], 'no_stream'), 'append as new');
    gone(await api('POST', `/v1/shipments/${awbA}/statuses`, { token: auth, body: { code: 'RCS', pieces: 1, weightKg: 1, location: 'LIM' } }), 'command');
    const batch = await api('POST', '/v1/events:batch', { token: auth, body: { items: [{ streamId: A, events: [ev()] }, { streamId: R, events: [ev({ data: { code: 'FOH', pieces: 3, weightKg: 120 } })] }] } });
    expect(batch.status).toBe(200);
    expect(batch.body.items[0]).toMatchObject({ streamId: A, status: 410, code: 'stream_archived' });
    expect(batch.body.items[1]).toMatchObject({ streamId: R, status: 201 }); // the other stream is not held up
    // nothing came back to life: no event, no version
    expect((await streamRow(T, A))!.version).toBe(versionBefore);
    expect(await rowsOf('events', T, [A])).toEqual([]);
    expect(await rowsOf('events_archive', T, [A])).toEqual(before.filter((r) => r.stream_id === A));
  });

  it('drops the derived rows of an archived stream: snapshot, status, timeline, a flight’s manifest; metric samples stay', async () => {
    expect(await sql('select 1 from snapshots where tenant_id = $1 and stream_id = any($2)', [T, mine])).toEqual([]);
    expect(await sql('select 1 from rm_status where tenant_id = $1 and stream_id = any($2)', [T, mine])).toEqual([]);
    expect(await sql('select 1 from rm_timeline where tenant_id = $1 and stream_id = any($2)', [T, mine])).toEqual([]);
    expect(await sql('select 1 from rm_manifest where tenant_id = $1 and flight_id = $2', [T, fid])).toEqual([]);
    expect(samplesBefore).toBeGreaterThan(0);
    expect(await sql('select 1 from rm_metric_samples where tenant_id = $1 and stream_id = $2', [T, A])).toHaveLength(samplesBefore);
    // the live streams keep theirs, and the read side shows them
    expect((await api('GET', `/v1/entities/shipment/${R.slice('shipment-'.length)}`, { token: await writer(T) })).status).toBe(200);
    expect((await api('GET', `/v1/entities/shipment/${awbA}`, { token: await writer(T) })).status).toBe(404);
    // archived streams are not projection lag
    const admin = await token({ tenant: T, scope: 'tracking:admin' });
    await eventually(async () => (await api('GET', '/v1/admin/projections/status', { token: admin })).body.lag?.streams === 0);
  });

  it('drops a snapshot of an older state shape once older than RETENTION_SNAPSHOTS, and no other', async () => {
    const current = MODELS.shipment.stateVersion;
    const put = (s: string, stateVersion: number, age: string) =>
      sql(`insert into snapshots (tenant_id, stream_id, version, state_version, state, created_at) values ($1, $2, 1, $3, '{}', now() - $4::interval)`, [U, s, stateVersion, age]);
    const [old, oldCurrent, young] = [`shipment-${awb()}`, `shipment-${awb()}`, `shipment-${awb()}`];
    await put(old, current - 1, '31 days');
    await put(oldCurrent, current, '40 days');
    await put(young, current - 1, '29 days');
    const r = await runRetention(testEnv, { tenantId: U, snapshots: true });
    expect(r.snapshotsDropped).toBeGreaterThanOrEqual(1);
    const left = await sql<{ stream_id: string }>('select stream_id from snapshots where tenant_id = $1 and stream_id = any($2)', [U, [old, oldCurrent, young]]);
    expect(left.map((x) => x.stream_id).sort()).toEqual([oldCurrent, young].sort());
  });

  it('deletes nothing it could not archive, and moves it once the cause is gone', async () => {
    await sql(`insert into retention_policies (tenant_id, entity_type, events_keep) values ($1, 'shipment', 'PT1H')`, [W]);
    const [X, Y, Z] = [`shipment-${awb()}`, `shipment-${awb()}`, `shipment-${awb()}`];
    for (const s of [X, Y, Z]) expect((await append(W, s, [ev(), ev({ data: { code: 'FOH', pieces: 3, weightKg: 120 } })])).status).toBe(201);
    await projected([W]);
    const wBefore = await rowsOf('events', W, [X, Y, Z]);
    // X: the archive already holds a row with its key, so the insert half of the move fails
    await sql(`insert into events_archive (global_position, tenant_id, stream_id, version, event_id, event_type, schema_version, data, metadata, occurred_at, recorded_at, transaction_id)
               values (0, $1, $2, 1, gen_random_uuid(), 'Planted', 1, '{}', '{}', now(), now(), '1')`, [W, X]);
    // Y: its stream row claims a version its events do not have
    await sql(`update streams set version = version + 1 where tenant_id = $1 and stream_id = $2`, [W, Y]);
    // Z: a commit is waiting for the projections (checked under the stream lock, in the move's own transaction)
    configureDriver(testEnv);
    const client = new Client({ connectionString: testEnv.DATABASE_URL });
    client.on('error', () => {});
    await client.connect();
    try {
      await client.query('begin');
      await client.query(`insert into outbox (tenant_id, stream_id, from_version, to_version) values ($1, $2, 3, 3)`, [W, Z]);
      expect((await client.query(`select tt_archive_stream($1, $2, now()) as r`, [W, Z])).rows[0].r).toEqual({ outcome: 'pending' });
      await client.query('rollback');
    } finally {
      await client.end();
    }
    await age(W, [X, Y, Z], '2 hours');

    const failing = await runRetention(testEnv, { tenantId: W });
    expect(failing.failed.map((f) => f.streamId).sort()).toEqual([X, Y].sort());
    expect(failing.archived.map((a) => a.streamId)).toEqual([Z]);
    expect(await rowsOf('events', W, [X, Y])).toEqual(wBefore.filter((r) => r.stream_id !== Z)); // untouched
    expect((await rowsOf('events_archive', W, [X, Y])).map((r) => r.event_type)).toEqual(['Planted']);
    for (const s of [X, Y]) expect((await streamRow(W, s))!.archived_at).toBeNull();
    expect((await api('GET', `/v1/streams/${X}/events`, { token: await writer(W) })).status).toBe(200);

    await sql(`delete from events_archive where tenant_id = $1 and stream_id = $2 and event_type = 'Planted'`, [W, X]);
    await sql(`update streams set version = version - 1 where tenant_id = $1 and stream_id = $2`, [W, Y]);
    const fixed = await runRetention(testEnv, { tenantId: W });
    expect(fixed.failed).toEqual([]);
    expect(fixed.archived.map((a) => a.streamId).sort()).toEqual([X, Y].sort());
    expect(await rowsOf('events_archive', W, [X, Y, Z])).toEqual(wBefore);
  });
});

// The admin routes, through the app when it mounts them, else through the router alone (same
// middleware: authentication and problem answers); either way checked against the served contract.
const mounted = app.routes.some((r) => r.path === '/v1/admin/retention');
const bare = new Hono<AppEnv>();
bare.use(requestId());
bare.use('/v1/*', authenticate);
bare.route('/', retentionAdminRoutes);
bare.onError((e, c) => (e instanceof ApiError ? problem(c, e) : c.json({ error: String(e) }, 500)));

describe('retention policies over the admin API', () => {
  let contract: Contract;
  beforeAll(async () => {
    contract = new Contract((await api('GET', '/openapi.json', { token: null })).body);
  });

  async function call(method: string, path: string, auth: string, body?: unknown): Promise<ApiResponse> {
    let res: ApiResponse;
    if (mounted) res = await api(method, path, { token: auth, body });
    else {
      const r = await bare.fetch(new Request(`http://api.test${path}`, {
        method, headers: { authorization: `Bearer ${auth}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body),
      }), testEnv);
      const text = await r.text();
      res = { status: r.status, headers: r.headers, text, body: text ? JSON.parse(text) : undefined };
    }
    const found = contract.find(method, new URL(`http://api.test${path}`).pathname);
    expect(found, `${method} ${path} is documented`).toBeTruthy();
    expect(contract.responseProblems(res, found!), `${method} ${path} -> ${res.status} ${res.text}`).toEqual([]);
    return res;
  }

  it('lets a tenant admin read and set its own tenant’s policies, and an operator any tenant’s', async () => {
    const P = `ret-p-${id()}`;
    const admin = await token({ tenant: P, scope: 'tracking:admin' });
    const operator = await token({ tenant: 'ops', scope: 'tracking:operator' });
    expect((await call('GET', '/v1/admin/retention/baggage', admin)).body).toMatchObject({ tenantId: P, entityType: 'baggage', events: 'P365D', source: 'default' });
    const set = await call('PUT', '/v1/admin/retention/baggage', admin, { events: 'P90D' });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ tenantId: P, entityType: 'baggage', events: 'P90D', source: 'tenant', updatedBy: 'scanner-7' });
    const list = await call('GET', '/v1/admin/retention', admin);
    expect(list.body.defaults).toEqual({ events: 'P365D', snapshots: 'P30D' });
    expect(list.body.policies).toEqual([expect.objectContaining({ tenantId: P, entityType: 'baggage', events: 'P90D' })]);
    // an operator sees every tenant's and sets another's
    expect((await call('GET', '/v1/admin/retention', operator)).body.policies).toEqual(expect.arrayContaining([expect.objectContaining({ tenantId: P }), expect.objectContaining({ tenantId: T })]));
    expect((await call('PUT', '/v1/admin/retention/flight', operator, { events: 'P2W', tenantId: P })).body).toMatchObject({ tenantId: P, events: 'P2W', source: 'tenant' });
    expect((await call('GET', `/v1/admin/retention/flight?tenantId=${P}`, operator)).body).toMatchObject({ events: 'P2W' });
    // null: back to the default
    expect((await call('PUT', '/v1/admin/retention/baggage', admin, { events: null })).body).toMatchObject({ events: 'P365D', source: 'default' });
  });

  it('refuses bad durations, other tenants, partners and readers', async () => {
    const P = `ret-p-${id()}`;
    const admin = await token({ tenant: P, scope: 'tracking:admin' });
    const bad = await call('PUT', '/v1/admin/retention/shipment', admin, { events: 'P1Y' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'validation_failed', errors: [{ path: 'events', message: expect.stringContaining('years and months') }] });
    expect((await call('PUT', '/v1/admin/retention/shipment', admin, { events: 'soon' })).status).toBe(400);
    expect((await call('PUT', '/v1/admin/retention/pallet', admin, { events: 'P1D' })).status).toBe(400);
    const short = await call('PUT', '/v1/admin/retention/shipment', admin, { events: 'P29D' });
    expect(short.body).toMatchObject({ status: 403, code: 'insufficient_scope' });
    expect((await call('GET', '/v1/admin/retention/shipment', admin)).body).toMatchObject({ source: 'default' });
    expect((await call('PUT', '/v1/admin/retention/shipment', admin, { events: 'P1D', tenantId: T })).body).toMatchObject({ status: 403, code: 'insufficient_scope' });
    expect((await call('GET', `/v1/admin/retention?tenantId=${T}`, admin)).status).toBe(403);
    expect((await call('GET', '/v1/admin/retention', await token({ tenant: P, scope: 'tracking:read tracking:write' }))).body).toMatchObject({ status: 403, code: 'insufficient_scope' });
    expect((await call('GET', '/v1/admin/retention', await token({ tenant: P, scope: 'tracking:admin', carriers: ['LA'] }))).body).toMatchObject({ status: 403, code: 'partner_read_only' });
    expect((await sql('select 1 from retention_policies where tenant_id = $1', [P]))).toEqual([]);
  });
});
