// One throw-away embedded PostgreSQL for a benchmark run (used by bench/run.sh).
//
//   npx tsx bench/postgres.ts --dir /tmp/x/pg [--port N] [--info /tmp/x/pg.json]
//
// Durable settings (fsync, synchronous_commit and full_page_writes on) plus the sizing of the
// peer benchmark (shared_buffers=512MB, max_connections=400, max_wal_size=4GB,
// checkpoint_timeout=15min), plus any BENCH_PG_SETTINGS="name=value ..." (bench/read-side.sh adds
// pg_stat_statements that way). Creates the databases `tracktrace` (our API) and `emmett` (the
// peer). When ready it prints one JSON line {baseUrl, port, pid, dir} (baseUrl without the
// database; pid = postmaster) on stdout and writes the same to --info if given. Runs until
// SIGTERM/SIGINT, then stops the server and deletes the data directory.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { freePort, startPostgres } from '../scripts/postgres.ts';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    port: { type: 'string' },
    info: { type: 'string' },
  },
});
if (!values.dir) {
  console.error('usage: tsx bench/postgres.ts --dir DIR [--port N] [--info FILE]');
  process.exit(2);
}
const dir = path.resolve(values.dir);
const port = values.port ? Number(values.port) : await freePort();
const log = (m: string) => console.error(`[bench-pg] ${m}`);

const FLAGS = [
  '-c', 'fsync=on',
  '-c', 'synchronous_commit=on',
  '-c', 'full_page_writes=on',
  '-c', 'shared_buffers=512MB',
  '-c', 'max_connections=400',
  '-c', 'max_wal_size=4GB',
  '-c', 'checkpoint_timeout=15min',
  // BENCH_PG_SETTINGS="name=value ...": extra settings, e.g. shared_preload_libraries=pg_stat_statements
  ...(process.env.BENCH_PG_SETTINGS ?? '').split(/\s+/).filter(Boolean).flatMap((s) => ['-c', s]),
];

let stopping = false;
let server: Awaited<ReturnType<typeof startPostgres>> | undefined;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  try {
    await server?.stop();
  } catch (e) {
    log(`stop failed: ${e instanceof Error ? e.message : e}`);
  }
  process.exit(code);
}
process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));

try {
  // persistent: false -> the data directory is deleted on stop
  server = await startPostgres({ dir, port, database: 'tracktrace', persistent: false, flags: FLAGS });
  const baseUrl = server.url.slice(0, server.url.lastIndexOf('/'));
  const admin = new pg.Client({ connectionString: `${baseUrl}/postgres` });
  await admin.connect();
  const found = await admin.query(`select 1 from pg_database where datname = 'emmett'`);
  if (found.rowCount === 0) await admin.query('create database emmett');
  const settings = await admin.query(
    `select name, setting, unit from pg_settings where name = any($1) order by name`,
    [['fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'max_connections', 'max_wal_size', 'checkpoint_timeout',
      'shared_preload_libraries']],
  );
  const version = (await admin.query('show server_version')).rows[0].server_version as string;
  await admin.end();
  const pid = Number(readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const info = {
    baseUrl,
    port,
    pid,
    dir,
    version,
    settings: Object.fromEntries(settings.rows.map((r) => [r.name, `${r.setting}${r.unit ? ` ${r.unit}` : ''}`])),
  };
  if (values.info) writeFileSync(values.info, JSON.stringify(info) + '\n');
  console.log(JSON.stringify(info));
  log(`PostgreSQL ${version} on 127.0.0.1:${port} (pid ${pid}), databases tracktrace + emmett`);
} catch (e) {
  log(`start failed: ${e instanceof Error ? e.message : e}`);
  await stop(1);
}
// keep running until signalled
setInterval(() => {}, 1 << 30);
