// Connection broker: a few Durable Objects ("shards") each hold one long-lived Postgres connection,
// and every stream object sends its SQL through one of them. Stream objects come and go by the
// thousand; connections (and Postgres backends, and Neon's ~40 ms WebSocket setup) stay few and
// warm. In production set DB_POOL_LOCATION so the shards live near the database region.
import { DurableObject } from 'cloudflare:workers';
import { connection, DbUnavailable, type Db } from './client';

type Outcome = { ok: true; rows: unknown[] } | { ok: false; transient: boolean; code?: string; message: string };
/** The stub as callers see it (the generated RPC types recurse too deep for `unknown` rows). */
type PoolStub = { query(text: string, params: unknown[]): Promise<Outcome> };

export class DbPool extends DurableObject<Env> {
  private db = connection(this.env, { idleMs: 60_000, connectTimeoutMs: 5_000, queryTimeoutMs: 15_000 });

  // RPC drops custom error fields, so the outcome travels as data.
  async query(text: string, params: unknown[]): Promise<Outcome> {
    try {
      return { ok: true, rows: await this.db.query(text, params) };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return { ok: false, transient: e instanceof DbUnavailable, code: (e as { code?: string }).code, message };
    }
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
  return {
    async query<T>(text: string, params: unknown[]): Promise<T[]> {
      let out: Outcome;
      try {
        out = await stub.query(text, params);
      } catch (e) {
        throw new DbUnavailable(e instanceof Error ? e.message : String(e)); // the shard itself failed
      }
      if (out.ok) return out.rows as T[];
      if (out.transient) throw new DbUnavailable(out.message);
      throw new SqlError(out.code, out.message);
    },
  };
}
