// Zero-downtime rebuilds. A rebuild builds every table of a read model anew as `<table>__next` from
// the global log, in short transactions, while live batches keep writing both generations. Once the
// reader has passed every transaction older than the rebuild's registration (so every event a
// live batch applied to the old generation only), the tables are renamed into place in one
// transaction: queries see the old read model or the new one, never an empty or half-built one.
import type { Db } from '../db/client';
import { isoMillis } from '../db/sqlTime';
import type { Generation } from './apply';
import { applyTargets } from './apply';
import { readGlobalLog, xidLess } from './globalLog';
import { PROJECTION_NAMES, PROJECTIONS, tablesOf } from './registry';
import type { ProjectionName } from './types';

const NEXT = '__next';

type Row = { name: ProjectionName; generation: number; rebuild_generation: number | null; rebuild_registered_xid: string | null; rebuild_checkpoint_tx: string | null; rebuild_checkpoint_pos: string | null };

/** The generations live batches write: the current one of every read model, and any being built. */
export async function liveGenerations(db: Db): Promise<Generation[]> {
  const rows = await db.query<Row>('select name, rebuild_generation from projections', []);
  return rows.flatMap((r) => {
    const projection = PROJECTIONS[r.name];
    if (!projection) return [];
    const current: Generation = { projection, t: (x) => x };
    return r.rebuild_generation ? [current, { projection, t: (x) => x + NEXT }] : [current];
  });
}

export async function startRebuild(db: Db, name: ProjectionName): Promise<{ ok: true; generation: number } | { ok: false; code: string }> {
  const [row] = await db.query<Row>('select * from projections where name = $1 for update', [name]);
  if (!row) return { ok: false, code: 'unknown_projection' };
  if (row.rebuild_generation) return { ok: false, code: 'rebuild_in_progress' };
  for (const table of tablesOf(PROJECTIONS[name])) {
    await db.query(`drop table if exists ${table}${NEXT}`, []); // a leftover of an abandoned build
    // only the primary key while building (upserts need it); the other indexes are built once, at
    // the switch, which is far cheaper than keeping them up to date row by row
    await db.query(`create table ${table}${NEXT} (like ${table} including all excluding indexes)`, []);
    const [pk] = await db.query<{ def: string }>(
      `select pg_get_constraintdef(oid) as def from pg_constraint where conrelid = $1::regclass and contype = 'p'`, [table]);
    if (pk) await db.query(`alter table ${table}${NEXT} add ${pk.def}`, []);
  }
  // the registration's own transaction id: the reader must pass it before the switch
  const [r] = await db.query<{ generation: number }>(
    `update projections set rebuild_generation = generation + 1, rebuild_registered_xid = pg_current_xact_id(),
            rebuild_checkpoint_tx = '0', rebuild_checkpoint_pos = 0, rebuild_applied = 0, rebuild_started_at = now(), rebuild_progress_at = now(),
            rebuild_total = (select count(*) from events)
      where name = $1 returning rebuild_generation as generation`,
    [name],
  );
  return { ok: true, generation: r!.generation };
}

/** One page of a rebuild, in the caller's transaction. `done` once the new generation is switched in. */
export async function rebuildPage(db: Db, name: ProjectionName, generation: number, pageSize: number): Promise<{ done: boolean; events: number; stale?: boolean }> {
  const [row] = await db.query<Row>('select * from projections where name = $1 for update', [name]);
  if (!row || row.rebuild_generation !== generation) return { done: true, events: 0, stale: true }; // switched or abandoned
  const page = await readGlobalLog(db, { tx: row.rebuild_checkpoint_tx!, position: Number(row.rebuild_checkpoint_pos) }, pageSize);
  await db.query('update projections set rebuild_progress_at = now() where name = $1', [name]);
  const registered = row.rebuild_registered_xid!;
  const last = page.rows[page.rows.length - 1];
  if (last) {
    const gen: Generation = { projection: PROJECTIONS[name], t: (x) => x + NEXT };
    await applyTargets(db, [gen], page.rows.map((r) => ({ tenantId: r.tenantId, streamId: r.streamId, toVersion: r.version })));
    await db.query(
      'update projections set rebuild_checkpoint_tx = $2::xid8, rebuild_checkpoint_pos = $3, rebuild_applied = rebuild_applied + $4 where name = $1',
      [name, last.tx, last.position, page.rows.length],
    );
  }
  // Rows come in transaction order, and only from finished transactions: once the reader is past the
  // registration, every event older than it is applied; every newer one reached a live batch that
  // wrote both generations. Writers that never pause cannot keep the switch away.
  const passed = last ? !xidLess(last.tx, registered) : xidLess(registered, page.horizon);
  if (!passed) return { done: false, events: page.rows.length };
  await switchGeneration(db, name);
  return { done: true, events: page.rows.length };
}

async function switchGeneration(db: Db, name: ProjectionName) {
  const tables = tablesOf(PROJECTIONS[name]);
  // indexes and statistics first, while only the new tables are locked: reads of the live ones go on
  for (const table of tables) {
    for (const def of await missingIndexes(db, table)) await db.query(def, []);
    await db.query(`analyze ${table}${NEXT}`, []); // fresh tables: plans would be blind
  }
  for (const table of tables) {
    const renames = await indexRenames(db, table);
    await db.query(`alter table ${table} rename to ${table}__old`, []);
    await db.query(`alter table ${table}${NEXT} rename to ${table}`, []);
    await db.query(`drop table ${table}__old`, []);
    // the new indexes (and the constraints behind them) take the names migrations know
    for (const [from, to] of renames) await db.query(`alter index "${from}" rename to "${to}"`, []);
  }
  await db.query(
    `update projections set generation = rebuild_generation, rebuild_generation = null,
            last_rebuild = jsonb_build_object('generation', rebuild_generation, 'events', rebuild_applied,
              'startedAt', ${isoMillis('rebuild_started_at')}, 'finishedAt', ${isoMillis('now()')},
              'seconds', round(extract(epoch from now() - rebuild_started_at)::numeric, 3))
      where name = $1`,
    [name],
  );
}

export const isProjectionName = (s: string): s is ProjectionName => (PROJECTION_NAMES as string[]).includes(s);

/** CREATE INDEX statements for the live table's indexes that `<table>__next` does not have yet. */
async function missingIndexes(db: Db, table: string): Promise<string[]> {
  const rows = await indexDefs(db, table);
  const have = new Set(rows.filter((r) => r.tablename !== table).map((r) => shape(r.indexdef)));
  return rows
    .filter((r) => r.tablename === table && !have.has(shape(r.indexdef)))
    .map((r) => `create ${/^CREATE UNIQUE/.test(r.indexdef) ? 'unique ' : ''}index on ${table}${NEXT}${r.indexdef.slice(r.indexdef.indexOf(' USING '))}`);
}

const indexDefs = (db: Db, table: string) =>
  db.query<{ tablename: string; indexname: string; indexdef: string }>(
    'select tablename, indexname, indexdef from pg_indexes where schemaname = current_schema() and tablename = any($1::text[])',
    [[table, table + NEXT]],
  );

/** An index's definition without its name or table, to pair the generations' indexes. */
const shape = (def: string) => `${/^CREATE UNIQUE/.test(def)}:${def.slice(def.indexOf(' USING '))}`;

/** Pairs each index of `<table>__next` with the live table's index of the same definition. */
async function indexRenames(db: Db, table: string): Promise<[string, string][]> {
  const rows = await indexDefs(db, table);
  const live = new Map(rows.filter((r) => r.tablename === table).map((r) => [shape(r.indexdef), r.indexname]));
  return rows.filter((r) => r.tablename !== table && live.has(shape(r.indexdef))).map((r) => [r.indexname, live.get(shape(r.indexdef))!]);
}

/** Builds that stopped moving (their queue message was lost, e.g. a local restart): the projector resumes them. */
export async function stalledRebuilds(db: Db, quietS: number): Promise<{ projection: ProjectionName; generation: number }[]> {
  const rows = await db.query<{ name: ProjectionName; rebuild_generation: number }>(
    `update projections set rebuild_progress_at = now()
      where rebuild_generation is not null and rebuild_progress_at < now() - make_interval(secs => $1)
      returning name, rebuild_generation`,
    [quietS],
  );
  return rows.map((r) => ({ projection: r.name, generation: r.rebuild_generation }));
}
