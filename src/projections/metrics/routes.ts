// GET /v1/metrics/operations?metric&location&from&to&bucket: count, min, max, p50, p95 per bucket.
import { Hono } from 'hono';
import { z } from 'zod';
import { airportSchema } from '../../domain/airports';
import { pooledDb } from '../../db/pool';
import type { AppEnv } from '../../env';
import { requireScope } from '../../http/auth';
import { ApiError } from '../../http/problem';
import { validate } from '../../http/validate';
import { instantSchema } from '../../streams/schemas';
import { isoMillis } from '../../db/sqlTime';
import { METRICS } from './samples';

export const metricsRoutes = new Hono<AppEnv>();

const MAX_BUCKETS = 1_000;

export const metricsQuerySchema = z.strictObject({
  metric: z.enum(METRICS),
  location: airportSchema.optional(),
  from: instantSchema.optional().meta({ description: 'default: 24 hours before `to`' }),
  to: instantSchema.optional().meta({ description: 'default: now' }),
  bucket: z.enum(['hour', 'day']).default('hour'),
});

type Row = { bucket: string; count: string; min: number | null; max: number | null; p50: number | null; p95: number | null; mishandled: string; accepted: string };

metricsRoutes.get('/v1/metrics/operations', requireScope('tracking:read'), validate('query', metricsQuerySchema), async (c) => {
  const q = c.req.valid('query');
  const p = c.get('principal');
  const to = q.to ? Date.parse(q.to) : Date.now();
  const from = q.from ? Date.parse(q.from) : to - 24 * 3600_000;
  if (from >= to) throw new ApiError(400, 'invalid_range', '`from` must be before `to`');
  if ((to - from) / (q.bucket === 'hour' ? 3600_000 : 86_400_000) > MAX_BUCKETS) {
    throw new ApiError(400, 'invalid_range', `at most ${MAX_BUCKETS} buckets; use a larger bucket or a shorter range`);
  }
  const rate = q.metric === 'mishandled_per_1000';
  const rows = await pooledDb(c.env, `metrics:${p.tenantId}`).query<Row>(
    `select ${isoMillis(`date_trunc($6, s.at, 'UTC')`)} as bucket, count(*) as count, min(s.value) as min, max(s.value) as max,
            percentile_cont(0.5) within group (order by s.value) as p50, percentile_cont(0.95) within group (order by s.value) as p95,
            count(*) filter (where s.metric = 'bag_mishandled') as mishandled, count(*) filter (where s.metric = 'bag_accepted') as accepted
       from rm_metric_samples s
      where s.tenant_id = $1 and s.metric = any($2::text[]) and s.at >= $3::timestamptz and s.at < $4::timestamptz
        and ($5::text is null or s.airport = $5) and ($7::text[] is null or s.carriers && $7::text[])
      group by 1 order by 1`,
    [p.tenantId, rate ? ['bag_mishandled', 'bag_accepted'] : [q.metric], new Date(from).toISOString(), new Date(to).toISOString(), q.location ?? null, q.bucket, p.carriers],
  );
  const round = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);
  return c.json({
    metric: q.metric,
    unit: rate ? 'mishandled bags per 1,000 accepted' : 'minutes',
    location: q.location ?? null,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    bucket: q.bucket,
    buckets: rows.map((r) =>
      rate
        ? { start: r.bucket, count: Number(r.mishandled), accepted: Number(r.accepted), value: Number(r.accepted) ? round((Number(r.mishandled) * 1000) / Number(r.accepted)) : null }
        : { start: r.bucket, count: Number(r.count), min: round(r.min), max: round(r.max), p50: round(r.p50), p95: round(r.p95) },
    ),
  });
});
