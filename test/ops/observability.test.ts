// The pure parts of operations: W3C traceparent parsing and sampling, the OTLP body, the Prometheus
// text and the log threshold.
import { describe, expect, it } from 'vitest';
import { render } from '../../src/metrics/exposition';
import { enabled } from '../../src/ops/log';
import { otlpBody } from '../../src/ops/otlp';
import { parseTraceparent, startTrace, traceIds } from '../../src/ops/trace';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const env = (over: Partial<Env> = {}) => ({ TELEMETRY: 'on', OTEL_TRACES_SAMPLER_ARG: '0', ...over }) as Env;

describe('traceparent', () => {
  it('accepts the spec example and reads the sampled flag', () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01`)).toEqual({ traceId: TRACE, parentId: SPAN, sampled: true });
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)?.sampled).toBe(false);
  });

  it.each([
    ['upper case', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['extra field on version 00', `00-${TRACE}-${SPAN}-01-extra`],
    ['short trace id', `00-${TRACE.slice(2)}-${SPAN}-01`],
    ['garbage', 'not a traceparent'],
  ])('refuses %s', (_, header) => expect(parseTraceparent(header)).toBeNull());

  it('accepts a later version with more fields, as the spec asks', () => {
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01-what-comes-next`)?.traceId).toBe(TRACE);
  });

  it("follows the caller's sampling decision and samples new traces at the configured ratio", () => {
    const joined = startTrace(env(), `00-${TRACE}-${SPAN}-01`, 'site=lim');
    expect(joined).toMatchObject({ traceId: TRACE, parentId: SPAN, sampled: true, state: 'site=lim' });
    expect(joined.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(startTrace(env({ OTEL_TRACES_SAMPLER_ARG: '1' }), `00-${TRACE}-${SPAN}-00`, null).sampled).toBe(false);
    expect(startTrace(env({ OTEL_TRACES_SAMPLER_ARG: '1' }), null, null).sampled).toBe(true);
    expect(startTrace(env({ OTEL_TRACES_SAMPLER_ARG: '0' }), null, null).sampled).toBe(false);
    expect(startTrace(env({ OTEL_TRACES_SAMPLER_ARG: '1', TELEMETRY: 'off' }), null, null).sampled).toBe(false);
    const fresh = startTrace(env(), 'bad', null);
    expect(fresh.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh.parentId).toBeUndefined();
  });

  it('lists the distinct trace ids of propagated traceparents', () => {
    expect(traceIds([`00-${TRACE}-${SPAN}-01`, `00-${TRACE}-1111111111111111-00`, 'junk', undefined])).toEqual([TRACE]);
  });
});

describe('OTLP body', () => {
  it('carries hex ids, nanosecond strings, typed attributes and the service name', () => {
    const body = otlpBody('tracktrace', [
      { ctx: { traceId: TRACE, spanId: SPAN, parentId: '1111111111111111' }, name: 'POST /x', kind: 2, startMs: 1_700_000_000_123, endMs: 1_700_000_000_456, attrs: { a: 'b', n: 3, f: 0.5, ok: true }, error: true },
    ]);
    const span = body.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(body.resourceSpans[0]!.resource.attributes).toEqual([{ key: 'service.name', value: { stringValue: 'tracktrace' } }]);
    expect(span).toMatchObject({ traceId: TRACE, spanId: SPAN, parentSpanId: '1111111111111111', kind: 2, startTimeUnixNano: '1700000000123000000', endTimeUnixNano: '1700000000456000000', status: { code: 2 } });
    expect(span.attributes).toEqual([
      { key: 'a', value: { stringValue: 'b' } }, { key: 'n', value: { intValue: '3' } }, { key: 'f', value: { doubleValue: 0.5 } }, { key: 'ok', value: { boolValue: true } },
    ]);
  });
});

describe('Prometheus text', () => {
  it('writes HELP and TYPE once per metric, and histograms as cumulative buckets in order', () => {
    const text = render({
      counters: new Map([['tt_rate_limited_total{scope="token"}', 2], ['tt_rate_limited_total{scope="tenant"}', 1]]),
      gauges: new Map([['tt_outbox_backlog', 4]]),
      histograms: new Map([['tt_group_commit_groups', { buckets: [3, 1, 0, 0, 0, 0, 2, 1], sum: 150, count: 7 }]]),
    });
    expect(text.split('\n').filter((l) => l.startsWith('# TYPE'))).toEqual([
      '# TYPE tt_group_commit_groups histogram', '# TYPE tt_rate_limited_total counter', '# TYPE tt_outbox_backlog gauge',
    ]);
    expect(text).toContain([
      'tt_group_commit_groups_bucket{le="1"} 3', 'tt_group_commit_groups_bucket{le="2"} 4', 'tt_group_commit_groups_bucket{le="4"} 4',
      'tt_group_commit_groups_bucket{le="8"} 4', 'tt_group_commit_groups_bucket{le="16"} 4', 'tt_group_commit_groups_bucket{le="32"} 4',
      'tt_group_commit_groups_bucket{le="64"} 6', 'tt_group_commit_groups_bucket{le="+Inf"} 7', 'tt_group_commit_groups_sum 150', 'tt_group_commit_groups_count 7',
    ].join('\n'));
    expect(text).toContain('tt_rate_limited_total{scope="tenant"} 1\ntt_rate_limited_total{scope="token"} 2\n');
    expect(text.endsWith('\n')).toBe(true);
  });
});

describe('log level', () => {
  it('writes the level set and above; an unknown level means info', () => {
    expect(enabled({ LOG_LEVEL: 'warn' }, 'info')).toBe(false);
    expect(enabled({ LOG_LEVEL: 'warn' }, 'error')).toBe(true);
    expect(enabled({ LOG_LEVEL: 'debug' }, 'debug')).toBe(true);
    expect(enabled({ LOG_LEVEL: 'loud' }, 'debug')).toBe(false);
    expect(enabled({ LOG_LEVEL: 'loud' }, 'info')).toBe(true);
  });
});
