// Connection broker: a few Durable Objects ("shards") each hold one long-lived Postgres connection,
// and every stream object sends its SQL through one of them. Stream objects come and go by the
// thousand; connections (and Postgres backends, and Neon's ~40 ms WebSocket setup) stay few and
// warm. In production set DB_POOL_LOCATION so the shards live near the database region.
// A shard also commits across streams: the commit groups that wait for it while one is in flight
// go to Postgres together, one round trip and one transaction for all of them (tt_append_batch).
import { DurableObject } from 'cloudflare:workers';
import { flushSoon, inc, observe } from '../metrics/registry';
import { recordSpan } from '../ops/otlp';
import { sampledChild } from '../ops/trace';
import { connection, DbUnavailable, type AppendGroup, type Db } from './client';

type Outcome = { ok: true; rows: unknown[] } | { ok: false; transient: boolean; code?: string; message: string };
/** The stub as callers see it (the generated RPC types recurse too deep for `unknown` rows). */
type PoolStub = { query(text: string, params: unknown[]): Promise<Outcome>; append(group: AppendGroup): Promise<Outcome> };

const MAX_BATCH_GROUPS = 64;
const MAX_BATCH_EVENTS = 2_000;
const MAX_BATCH_BYTES = 4 * 1024 * 1024; // of request JSON: events may be up to 64 KB each
const APPEND_ONE = 'select tt_append_fast($1, $2, $3, $4::jsonb) as r';

export class DbPool extends DurableObject<Env> {
  private db = connection(this.env, { idleMs: 60_000, connectTimeoutMs: 5_000, queryTimeoutMs: 15_000 });
  private waiting: { group: AppendGroup; resolve: (o: Outcome) => void }[] = [];
  private appending = false;

  // RPC drops custom error fields, so the outcome travels as data.
  query(text: string, params: unknown[]): Promise<Outcome> {
    return this.timed('query', text, params);
  }

  /** A round trip, measured: its latency by operation, its failures by kind. */
  private async timed(op: 'query' | 'append' | 'append_batch', text: string, params: unknown[]): Promise<Outcome> {
    const t0 = Date.now();
    let out: Outcome;
    try {
      out = { ok: true, rows: await this.db.query(text, params) };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      out = { ok: false, transient: e instanceof DbUnavailable, code: (e as { code?: string }).code, message };
      inc(this.env, 'tt_db_errors_total', { kind: out.transient ? 'transient' : 'sql' });
    }
    observe(this.env, 'tt_db_roundtrip_seconds', { op }, (Date.now() - t0) / 1000);
    flushSoon(this.env);
    return out;
  }

  /** One stream's commit group; resolves with the row `{ r: <tt_append_fast result> }`. */
  append(group: AppendGroup): Promise<Outcome> {
    return new Promise((resolve) => {
      this.waiting.push({ group, resolve });
      this.flush();
    });
  }

  private flush() {
    if (this.appending || this.waiting.length === 0) return;
    let n = 0;
    let events = 0;
    let bytes = 0;
    for (; n < this.waiting.length && n < MAX_BATCH_GROUPS; n++) {
      const g = this.waiting[n]!.group;
      if (n > 0 && (events + g.events > MAX_BATCH_EVENTS || bytes + g.requests.length > MAX_BATCH_BYTES)) break;
      events += g.events;
      bytes += g.requests.length;
    }
    this.appending = true;
    const batch = this.waiting.splice(0, n);
    void this.commit(batch)
      .catch((e) => {
        // never leave a stream object waiting: an answer nobody can vouch for is "unknown"
        const out: Outcome = { ok: false, transient: true, message: e instanceof Error ? e.message : String(e) };
        for (const b of batch) b.resolve(out);
      })
      .finally(() => {
        this.appending = false;
        this.flush();
      });
  }

  private async commit(batch: { group: AppendGroup; resolve: (o: Outcome) => void }[]) {
    observe(this.env, 'tt_group_commit_groups', undefined, batch.length);
    observe(this.env, 'tt_group_commit_events', undefined, batch.reduce((n, b) => n + b.group.events, 0));
    const t0 = Date.now();
    try {
      await this.commitBatch(batch);
    } finally {
      this.spans(batch, t0);
    }
  }

  /** The commit as a span of every sampled trace that took part in it. */
  private spans(batch: { group: AppendGroup }[], startMs: number) {
    const endMs = Date.now();
    for (const { group } of batch) {
      for (const t of group.traces ?? []) {
        const ctx = sampledChild(t);
        if (ctx) {
          recordSpan(this.env, true, {
            ctx, name: 'postgres tt_append', kind: 3, startMs, endMs,
            attrs: { 'db.system.name': 'postgresql', 'db.operation.name': batch.length > 1 ? 'tt_append_batch' : 'tt_append_fast', 'tt.groups': batch.length },
          });
        }
      }
    }
  }

  private async commitBatch(batch: { group: AppendGroup; resolve: (o: Outcome) => void }[]) {
    if (batch.length === 1) return batch[0]!.resolve(await this.appendOne(batch[0]!.group));
    const json = `[${batch.map(({ group: g }) => `{"tenantId":${JSON.stringify(g.tenantId)},"streamId":${JSON.stringify(g.streamId)},"entityType":${JSON.stringify(g.entityType)},"requests":${g.requests}}`).join(',')}]`;
    const out = await this.timed('append_batch', 'select tt_append_batch($1::jsonb) as r', [json]);
    if (out.ok) {
      const results = (out.rows[0] as { r: unknown[] }).r;
      batch.forEach((b, i) => b.resolve({ ok: true, rows: [{ r: results[i] }] }));
    } else if (out.transient) {
      for (const b of batch) b.resolve(out); // the outcome is unknown for every group
    } else {
      // One group's SQL error rolled back all of them: commit each alone, so only it fails.
      for (const b of batch) b.resolve(await this.appendOne(b.group));
    }
  }

  private appendOne(g: AppendGroup): Promise<Outcome> {
    return this.timed('append', APPEND_ONE, [g.tenantId, g.streamId, g.entityType, g.requests]);
  }
}

export class SqlError extends Error {
  constructor(readonly code: string | undefined, message: string) {
    super(message);
  }
}

function shardOf(routingKey: string, shards: number): number {
  let h = 2166136261; // FNV-1a
  for (let i = 0; i < routingKey.length; i++) h = Math.imul(h ^ routingKey.charCodeAt(i), 16777619);
  return (h >>> 0) % shards;
}

/** Options that create an object near the database region (DB_POOL_LOCATION, e.g. "enam"), if set. */
export function nearDatabase(env: Env): DurableObjectNamespaceGetDurableObjectOptions | undefined {
  const locationHint = (env.DB_POOL_LOCATION || undefined) as DurableObjectLocationHint | undefined;
  return locationHint ? { locationHint } : undefined;
}

/** A `Db` whose queries run on the pool shard chosen by `routingKey` (a stream keeps its shard). */
export function pooledDb(env: Env, routingKey: string): Db {
  const shards = Math.max(1, Number(env.DB_POOL_SHARDS || 4));
  const id = env.DB_POOL.idFromName(`db-pool-${shardOf(routingKey, shards)}`);
  const stub = env.DB_POOL.get(id, nearDatabase(env)) as unknown as PoolStub;
  const call = async <T>(send: () => Promise<Outcome>): Promise<T[]> => {
    let out: Outcome;
    try {
      out = await send();
    } catch (e) {
      throw new DbUnavailable(e instanceof Error ? e.message : String(e)); // the shard itself failed
    }
    if (out.ok) return out.rows as T[];
    if (out.transient) throw new DbUnavailable(out.message);
    throw new SqlError(out.code, out.message);
  };
  return {
    query: <T>(text: string, params: unknown[]) => call<T>(() => stub.query(text, params)),
    appendGroup: <T>(group: AppendGroup) => call<T>(() => stub.append(group)),
  };
}
