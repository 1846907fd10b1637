// Every metric /metrics serves: its name, type, help and (for histograms) buckets. Series are
// recorded per isolate (registry.ts), summed across isolates by the aggregator object, and the
// read side's gauges are read from Postgres when scraped (route.ts).

export type MetricDef = { type: 'counter' | 'histogram' | 'gauge'; help: string; buckets?: number[] };

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const METRICS = {
  tt_http_requests_total: { type: 'counter', help: 'HTTP requests by route pattern, method, status and Worker version id.' },
  tt_http_request_duration_seconds: { type: 'histogram', help: 'HTTP request duration by route pattern.', buckets: SECONDS },
  tt_appends_total: { type: 'counter', help: 'Append requests by tenant and outcome (committed, replayed, conflict, rejected, failed).' },
  tt_append_duration_seconds: { type: 'histogram', help: 'Append request duration (single and batch appends).', buckets: SECONDS },
  tt_append_conflicts_total: { type: 'counter', help: 'Appends refused with 409 (wrong expected version or event id conflict), by tenant.' },
  tt_idempotent_replays_total: { type: 'counter', help: 'Requests answered from what was already stored (same event ids or Idempotency-Key), by tenant and kind.' },
  tt_commands_total: { type: 'counter', help: 'Domain commands by tenant, command route and outcome (committed, replayed, refused, rejected, failed).' },
  tt_command_duration_seconds: { type: 'histogram', help: 'Domain command duration by command route.', buckets: SECONDS },
  tt_group_commit_groups: { type: 'histogram', help: 'Commit groups (streams) per Postgres append transaction of a pool shard.', buckets: [1, 2, 4, 8, 16, 32, 64] },
  tt_group_commit_events: { type: 'histogram', help: 'Events per Postgres append transaction of a pool shard.', buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2000] },
  tt_db_roundtrip_seconds: { type: 'histogram', help: 'Postgres round trips of the pool shards, by operation (append, append_batch, query).', buckets: SECONDS },
  tt_db_errors_total: { type: 'counter', help: 'Failed Postgres calls of the pool shards, by kind (transient: unreachable or unknown outcome; sql: refused by Postgres).' },
  tt_queue_messages_total: { type: 'counter', help: 'Queue messages handled by the consumer, by queue and outcome (acked, retried, dead_letter).' },
  tt_consumer_batch_duration_seconds: { type: 'histogram', help: 'Queue consumer batch duration, by queue.', buckets: SECONDS },
  tt_rate_limited_total: { type: 'counter', help: 'Requests refused with 429 by the rate limits, by scope (tenant, token).' },
  tt_live_subscriptions: { type: 'gauge', help: 'Open live subscriptions (WebSocket and SSE), by tenant, as last reported by its hub.' },
  tt_outbox_backlog: { type: 'gauge', help: 'Commits not yet applied by the projections (outbox rows).' },
  tt_outbox_backlog_tenant: { type: 'gauge', help: 'Commits not yet applied by the projections, by tenant (the 100 biggest; the rest under "(other)").' },
  tt_projection_lag_seconds: { type: 'gauge', help: 'Age of the oldest commit not yet applied by the projections (0 when none is waiting).' },
  tt_projection_last_applied_seconds: { type: 'gauge', help: 'Seconds since each projection last applied a batch.' },
  tt_projection_rebuild_progress: { type: 'gauge', help: 'Progress (0-1) of a running rebuild, by projection.' },
  tt_dead_letters: { type: 'gauge', help: 'Dead letters not yet replayed, by queue.' },
  tt_oldest_open_transaction_seconds: { type: 'gauge', help: 'Age of the oldest open write transaction in Postgres (it holds the global-log readers back).' },
  tt_metrics_isolates: { type: 'gauge', help: 'Isolates whose counters reached the aggregator in the last 5 minutes.' },
  tt_metrics_series_dropped_total: { type: 'counter', help: 'New series refused because the aggregator holds its maximum.' },
} satisfies Record<string, MetricDef>;

export type MetricName = keyof typeof METRICS;
export type Labels = Record<string, string | number>;

const escape = (v: string | number) => String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** A series' key, as it is printed: name{label="value",…}. */
export function seriesKey(name: MetricName, labels?: Labels): string {
  if (!labels) return name;
  let s = '';
  for (const k in labels) s += `${s ? ',' : ''}${k}="${escape(labels[k]!)}"`;
  return s ? `${name}{${s}}` : name;
}
