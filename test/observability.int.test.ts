// What operators see: /metrics summed across isolates, one JSON log line per request and per queue
// batch, and a site's traceparent followed from the request to the consumer and the live push.
import { env, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MetricsAggregator } from '../src/metrics/aggregator';
import type { Snapshot } from '../src/metrics/registry';
import { api, eventually, ev, shipmentStream, token } from './helpers/api';

const testEnv = env as unknown as Env & { TEST_CONTROL_URL: string };
const tenant = `obs-${crypto.randomUUID().slice(0, 8)}`;
const operator = () => token({ tenant, scope: 'tracking:operator' });

/** Parses Prometheus text, failing on any line that is not valid exposition format. */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const typed = new Set<string>();
  for (const line of text.trimEnd().split('\n')) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') typed.add(meta[2]!);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:\\.|[^"\\])*",?)*\})? (-?[0-9.e+]+|\+Inf|NaN)$/.exec(line);
    expect(m, `not exposition format: ${line}`).not.toBeNull();
    const family = m![1]!.replace(/_(bucket|sum|count)$/, '');
    expect(typed.has(m![1]!) || typed.has(family), `no # TYPE before ${line}`).toBe(true);
    out.set(`${m![1]}${m![2] ?? ''}`, Number(m![3]));
  }
  return out;
}

const scrape = async (auth?: string) => api('GET', '/metrics', { token: auth ?? 'test-metrics-token' });

describe('/metrics', () => {
  it('answers METRICS_TOKEN and operator tokens only, as problem+json otherwise', async () => {
    const none = await api('GET', '/metrics', { token: null });
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toBe('application/problem+json');
    expect((await scrape('wrong-secret')).status).toBe(401);
    const reader = await scrape(await token({ tenant, scope: 'tracking:read tracking:admin' }));
    expect(reader.status).toBe(403);
    expect(reader.body.code).toBe('insufficient_scope');
    const ok = await scrape(await operator());
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect((await scrape()).status).toBe(200);
  });

  it('counts appends, replays, conflicts and commands, with latency histograms and the read side', async () => {
    const write = await token({ tenant });
    const stream = shipmentStream();
    const id = crypto.randomUUID();
    const path = `/v1/streams/${stream}/events`;
    expect((await api('POST', path, { token: write, body: { expectedVersion: 'no_stream', events: [ev({ id })] } })).status).toBe(201);
    expect((await api('POST', path, { token: write, body: { expectedVersion: 'no_stream', events: [ev({ id })] } })).status).toBe(200);
    expect((await api('POST', path, { token: write, body: { expectedVersion: 'no_stream', events: [ev()] } })).status).toBe(409);
    expect((await api('POST', path, { token: null, body: { events: [ev()] } })).status).toBe(401); // refused before its route ran: still its route
    const awb = stream.slice('shipment-'.length);
    const cmd = { token: write, body: { code: 'RCS', pieces: 1, weightKg: 5, location: 'LIM' }, headers: { 'idempotency-key': `obs-${id}` } };
    expect((await api('POST', `/v1/shipments/${awb}/statuses`, cmd)).status).toBe(201);
    expect((await api('POST', `/v1/shipments/${awb}/statuses`, cmd)).headers.get('idempotent-replayed')).toBe('true');

    const route = 'route="/v1/streams/:streamId/events"';
    const m = await eventually(async () => {
      const s = parse((await scrape()).text);
      const ready = s.get(`tt_appends_total{tenant="${tenant}",outcome="conflict"}`) && s.get(`tt_commands_total{tenant="${tenant}",command="/v1/shipments/:entityId/statuses",outcome="replayed"}`)
        && s.get('tt_queue_messages_total{queue="tracktrace-events",outcome="acked"}');
      return ready ? s : null;
    });
    expect(m.get(`tt_appends_total{tenant="${tenant}",outcome="committed"}`)).toBe(1);
    expect(m.get(`tt_appends_total{tenant="${tenant}",outcome="replayed"}`)).toBe(1);
    expect(m.get(`tt_appends_total{tenant="${tenant}",outcome="conflict"}`)).toBe(1);
    expect(m.get(`tt_append_conflicts_total{tenant="${tenant}"}`)).toBe(1);
    expect(m.get(`tt_idempotent_replays_total{tenant="${tenant}",kind="append"}`)).toBe(1);
    expect(m.get(`tt_idempotent_replays_total{tenant="${tenant}",kind="command"}`)).toBe(1);
    expect(m.get(`tt_commands_total{tenant="${tenant}",command="/v1/shipments/:entityId/statuses",outcome="committed"}`)).toBe(1);
    const requests = [...m].filter(([k]) => k.startsWith(`tt_http_requests_total{${route},method="POST",status="409"`));
    expect(requests.length).toBe(1);
    expect([...m].some(([k]) => k.startsWith(`tt_http_requests_total{${route},method="POST",status="401"`))).toBe(true);
    // histograms: cumulative buckets ending in +Inf = _count
    const buckets = [...m].filter(([k]) => k.startsWith('tt_append_duration_seconds_bucket')).map(([, v]) => v);
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
    expect(m.get('tt_append_duration_seconds_bucket{le="+Inf"}')).toBe(m.get('tt_append_duration_seconds_count'));
    expect(m.get('tt_append_duration_seconds_count')).toBeGreaterThanOrEqual(3);
    expect(m.get('tt_group_commit_groups_count')).toBeGreaterThanOrEqual(2);
    expect(m.get('tt_db_roundtrip_seconds_count{op="append"}')! + (m.get('tt_db_roundtrip_seconds_count{op="append_batch"}') ?? 0)).toBeGreaterThanOrEqual(2);
    // the read side, from Postgres at the scrape
    expect(m.get('tt_outbox_backlog')).toBeGreaterThanOrEqual(0);
    expect(m.get('tt_projection_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(m.get('tt_metrics_isolates')).toBeGreaterThanOrEqual(1);
  });

  it('sums what different isolates flush to the aggregator, and keeps it in its storage', async () => {
    const stub = env.METRICS.get(env.METRICS.idFromName(`test-${crypto.randomUUID()}`));
    const agg = stub as unknown as { ingest(isolate: string, seq: number, s: Snapshot): Promise<void>; render(): Promise<string> };
    const key = `tt_rate_limited_total{scope="sum-test"}`;
    const hist = { buckets: [1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1], sum: 3.2, count: 4 };
    const a = { counters: [[key, 2]], histograms: [['tt_append_duration_seconds', hist]], gauges: [['tt_live_subscriptions{tenant="x"}', 5]] } as Snapshot;
    await agg.ingest('isolate-a', 1, a);
    await agg.ingest('isolate-b', 1, { counters: [[key, 3]], histograms: [['tt_append_duration_seconds', hist]], gauges: [['tt_live_subscriptions{tenant="x"}', 7]] });
    await agg.ingest('isolate-a', 1, a); // a resend whose first answer was lost: applied once
    const m = parse(await agg.render());
    expect(m.get(key)).toBe(5);
    expect(m.get('tt_append_duration_seconds_count')).toBe(8);
    expect(m.get('tt_append_duration_seconds_bucket{le="0.025"}')).toBe(6);
    expect(m.get('tt_append_duration_seconds_bucket{le="+Inf"}')).toBe(8);
    expect(m.get('tt_live_subscriptions{tenant="x"}')).toBe(7); // a gauge: the latest report
    expect(m.get('tt_metrics_isolates')).toBe(2);
    const rows: unknown[] = await runInDurableObject(stub as DurableObjectStub, async (o, state: DurableObjectState) => {
      await (o as unknown as MetricsAggregator).alarm();
      return [...state.storage.sql.exec('select key, value from metric_series order by key')];
    });
    expect(rows).toContainEqual({ key, value: '5' });
  });
});

describe('logs and traces', () => {
  afterEach(() => vi.restoreAllMocks());

  const lines = (spy: { mock: { calls: unknown[][] } }) =>
    spy.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>);

  it('writes one JSON line per request, with ids and no token or event data', async () => {
    const spy = vi.spyOn(console, 'log');
    const write = await token({ tenant });
    const secret = `payload-${crypto.randomUUID()}`;
    const res = await api('POST', `/v1/streams/${shipmentStream()}/events`, {
      token: write, headers: { 'x-request-id': 'obs-log-1' }, body: { events: [ev({ data: { code: 'RCS', pieces: 1, weightKg: 1, remarks: secret } })] },
    });
    expect([201, 422]).toContain(res.status);
    const line = lines(spy).find((l) => l.msg === 'request' && l.requestId === 'obs-log-1');
    expect(line).toMatchObject({
      level: 'info', tenant, method: 'POST', route: '/v1/streams/:streamId/events', status: res.status,
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/), durationMs: expect.any(Number),
    });
    expect(Date.parse(line!.time)).not.toBeNaN();
    const all = spy.mock.calls.map((c) => c.map(String).join(' ')).join('\n');
    expect(all).not.toContain(write);
    expect(all).not.toContain(secret);
  });

  it("follows a site's traceparent to the consumer's log line and exports the spans of every hop", async () => {
    const spy = vi.spyOn(console, 'log');
    const traceId = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
    const parent = '00f067aa0ba902b7';
    const res = await api('POST', `/v1/streams/${shipmentStream()}/events`, {
      token: await token({ tenant }), headers: { traceparent: `00-${traceId}-${parent}-01`, tracestate: 'site=lim' }, body: { events: [ev()] },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('traceresponse')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const batch = await eventually(async () => lines(spy).find((l) => l.msg === 'queue batch' && l.traceIds?.includes(traceId)));
    expect(batch).toMatchObject({ level: 'info', queue: 'tracktrace-events', acked: expect.any(Number) });
    expect(lines(spy).find((l) => l.msg === 'request' && l.traceId === traceId)).toMatchObject({ status: 201 });

    const spans = await eventually(async () => {
      const got = (await (await fetch(`${testEnv.TEST_CONTROL_URL}/otlp/spans?traceId=${traceId}`)).json()) as { name: string; spanId: string; parentSpanId?: string }[];
      return ['POST /v1/streams/:streamId/events', 'StreamObject.append', 'postgres tt_append', 'queue tracktrace-events', 'subscription push'].every((n) => got.some((s) => s.name === n)) && got;
    }, 15_000);
    const byName = (n: string) => spans.find((s) => s.name === n)!;
    expect(byName('POST /v1/streams/:streamId/events').parentSpanId).toBe(parent);
    expect(byName('StreamObject.append').parentSpanId).toBe(byName('POST /v1/streams/:streamId/events').spanId);
    expect(byName('postgres tt_append').parentSpanId).toBe(byName('StreamObject.append').spanId);
    expect(byName('queue tracktrace-events').parentSpanId).toBe(byName('StreamObject.append').spanId);
  });

  it('starts its own unsampled trace when the traceparent is invalid, and exports nothing for it', async () => {
    const res = await api('GET', '/health/live', { token: null, headers: { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' } });
    const t = /^00-([0-9a-f]{32})-[0-9a-f]{16}-00$/.exec(res.headers.get('traceresponse') ?? '');
    expect(t).not.toBeNull();
    expect(t![1]).not.toBe('0'.repeat(32));
    await new Promise((r) => setTimeout(r, 1_500)); // past an export
    expect(await (await fetch(`${testEnv.TEST_CONTROL_URL}/otlp/spans?traceId=${t![1]}`)).json()).toEqual([]);
  });
});

describe('/health/ready', () => {
  it('reports the read side against its thresholds', async () => {
    const res = await api('GET', '/health/ready', { token: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ready',
      checks: { postgres: 'ok', queue: 'ok', projections: 'ok' },
      readSide: { lagSeconds: expect.any(Number), backlog: expect.any(Number), deadLetters: expect.any(Number) },
      thresholds: { maxLagSeconds: 60, maxBacklog: 10000 },
    });
  });

});
