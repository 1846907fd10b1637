// One Postgres connection held by a Durable Object (a pool shard, src/db/pool.ts): opened on first
// use, reused while busy, closed when idle, dropped on any connection error so the next call
// reconnects (e.g. after a Postgres restart).
import { Client, neonConfig } from '@neondatabase/serverless';

export class DbUnavailable extends Error {}

// 57014: our statement_timeout cancelled it; the statement rolled back, so a retry is safe.
const TRANSIENT = new Set(['53300', '57014', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);

/** Locally the driver's WebSocket goes through our relay to a plain Postgres (scripts/relay.ts). */
export function configureDriver(env: Env) {
  if (env.DB_WS_PROXY) {
    neonConfig.wsProxy = (host, port) => `${env.DB_WS_PROXY}/v2?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  }
  // Writes go out synchronously, so a write on a socket closed under us throws where we can
  // catch it instead of inside a timer (an uncaught error in the object).
  neonConfig.coalesceWrites = false;
}

/** SQL errors keep their SQLSTATE `code`, directly or through the pool (SqlError). */
export function isUniqueViolation(e: unknown): boolean {
  return (e as { code?: string })?.code === '23505';
}

/** One stream's commit group for tt_append_fast; `requests` is its JSON text, `events` their count. */
export type AppendGroup = {
  tenantId: string; streamId: string; entityType: string; requests: string; events: number;
  /** traceparents of the requests (for spans; never sent to Postgres) */
  traces?: string[];
};

export type Db = {
  query<T = Record<string, unknown>>(text: string, params: unknown[]): Promise<T[]>;
  /** Pool shards commit the groups of several streams together; a plain connection has no such method. */
  appendGroup?<T>(group: AppendGroup): Promise<T[]>;
};

export function connection(env: Env, opts = { idleMs: 2_000, connectTimeoutMs: 5_000, queryTimeoutMs: 15_000 }): Db {
  configureDriver(env);
  let client: Client | null = null;
  let connecting: Promise<Client> | null = null;
  let idle: ReturnType<typeof setTimeout> | null = null;
  let busy = 0;

  const drop = (c: Client | null) => {
    if (c && c === client) client = null;
    try {
      c?.end().catch(() => {});
    } catch {
      // the socket is already closed: nothing to tell the server
    }
  };

  const open = async (): Promise<Client> => {
    if (client) return client;
    connecting ??= (async () => {
      const deadline = Date.now() + opts.connectTimeoutMs;
      for (let attempt = 1; ; attempt++) {
        // Postgres cancels a statement past 8 s (rolled back: a known outcome); the client-side
        // timeout only catches a dead socket, and dropping the connection fails its queue.
        const c = new Client({ connectionString: env.DATABASE_URL, statement_timeout: 8_000 });
        c.on('error', () => drop(c));
        c.on('end', () => c === client && (client = null));
        try {
          await withTimeout(c.connect(), opts.connectTimeoutMs, () => drop(c));
          client = c;
          return c;
        } catch (e) {
          drop(c);
          // Postgres full of connections: wait for idle objects to let theirs go, then try again.
          const full = (e as { code?: string })?.code === '53300';
          if (!full || Date.now() > deadline) throw e;
          await new Promise((r) => setTimeout(r, Math.min(500, 20 * attempt) * (0.5 + Math.random())));
        }
      }
    })().finally(() => (connecting = null));
    return connecting;
  };

  const scheduleIdleClose = () => {
    clearTimeout(idle);
    idle = setTimeout(() => busy === 0 && drop(client), opts.idleMs);
  };

  return {
    async query<T>(text: string, params: unknown[]): Promise<T[]> {
      busy++;
      clearTimeout(idle);
      let c: Client | null = null;
      try {
        c = await open();
        const res = await withTimeout(c.query(text, params), opts.queryTimeoutMs, () => drop(c));
        return res.rows as T[];
      } catch (e) {
        const code = (e as { code?: string })?.code;
        if (code && !TRANSIENT.has(code)) throw e; // a SQL error: the caller decides
        drop(c);
        throw new DbUnavailable(e instanceof Error ? e.message : String(e));
      } finally {
        busy--;
        if (busy === 0) scheduleIdleClose();
      }
    },
  };
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let t: ReturnType<typeof setTimeout>;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      t = setTimeout(() => {
        onTimeout();
        reject(new DbUnavailable(`database did not answer within ${ms} ms`));
      }, ms);
    }),
  ]).finally(() => clearTimeout(t));
}
