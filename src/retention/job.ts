// The retention job, run by the cron trigger every minute (src/index.ts) and callable directly
// (tests, an operator's script). Each run:
//   1. finds at most `limit` streams past their retention (archive.ts: index-only work when none is);
//   2. for each, tells its stream object to forget what it holds in memory, then moves the stream
//      in its own short transaction (tt_archive_stream) on a connection of its own, never a pool
//      shard's, so a slow move never stalls the appends that share a shard;
//   3. hourly (or when asked), drops snapshots nothing can load any more.
// Resumable: a run that dies leaves every stream moved or untouched; the next run finds the rest.
// Idempotent: an archived stream is no candidate, and moving it again answers `already`.
import { Client } from '@neondatabase/serverless';
import { configureDriver, type Db } from '../db/client';
import { pooledDb } from '../db/pool';
import { MODELS } from '../domain/entities';
import { ENTITY_TYPES } from '../domain/identifiers';
import type { StreamObject } from '../streams/streamObject';
import { archiveStream, dropStaleSnapshots, findCandidates, type ArchiveOutcome, type Candidate } from './archive';
import { policiesForJob, retentionDefaults } from './policy';
import { log } from '../ops/log';

export type RetentionOptions = {
  /** Streams moved at most in this run (default 100); the next run continues. */
  limit?: number;
  /** Only this tenant's streams (an operator's run for one tenant; tests). */
  tenantId?: string;
  /** Also drop stale snapshots in this run (the cron does it hourly). */
  snapshots?: boolean;
};

export type RetentionReport = {
  candidates: number;
  archived: { tenantId: string; streamId: string; events: number }[];
  skipped: { streamId: string; outcome: ArchiveOutcome['outcome'] }[];
  failed: { streamId: string; error: string }[];
  snapshotsDropped: number;
};

const DEFAULT_LIMIT = 100;
const SNAPSHOT_BATCH = 10_000;

export async function runRetention(env: Env, opts: RetentionOptions = {}): Promise<RetentionReport> {
  const defaults = retentionDefaults(env);
  const db = pooledDb(env, 'retention');
  const report: RetentionReport = { candidates: 0, archived: [], skipped: [], failed: [], snapshotsDropped: 0 };
  const candidates = await findCandidates(db, {
    policies: await policiesForJob(db),
    defaultSeconds: defaults.events.seconds,
    limit: Math.max(1, opts.limit ?? DEFAULT_LIMIT),
    tenantId: opts.tenantId,
  });
  report.candidates = candidates.length;
  if (candidates.length) await withConnection(env, (own) => moveAll(env, own, candidates, report));
  if (opts.snapshots) {
    // a scan of the snapshots: on the job's own connection, never in a pool shard's queue of appends
    const current = ENTITY_TYPES.map((t) => ({ entityType: t, stateVersion: MODELS[t].stateVersion }));
    report.snapshotsDropped = await withConnection(env, (own) => dropStaleSnapshots(own, current, defaults.snapshots.seconds, SNAPSHOT_BATCH));
  }
  if (report.archived.length || report.failed.length || report.snapshotsDropped) {
    log(env, 'info', 'retention run', {
      archivedStreams: report.archived.length, archivedEvents: report.archived.reduce((n, a) => n + a.events, 0),
      skipped: report.skipped.length, failed: report.failed.length, snapshotsDropped: report.snapshotsDropped,
    });
  }
  return report;
}

async function moveAll(env: Env, db: Db, candidates: Candidate[], report: RetentionReport) {
  for (const c of candidates) {
    const key = { tenantId: c.tenantId, streamId: c.streamId, entityType: c.entityType };
    try {
      // First the object forgets (a page it cached must not outlive the move); if it cannot be
      // reached, the stream waits for the next run. The cutoff was fixed before this call, so a
      // commit that lands after it keeps the stream live and whatever memory it rebuilds stays right.
      await streamObject(env, c).beforeArchive(key);
      const out = await archiveStream(db, c);
      if (out.outcome === 'archived') {
        // and once more after: a read between the first call and the move's commit may have cached the old state
        await streamObject(env, c).beforeArchive(key).catch(() => {});
        report.archived.push({ tenantId: c.tenantId, streamId: c.streamId, events: out.events });
      } else report.skipped.push({ streamId: c.streamId, outcome: out.outcome });
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      log(env, 'error', 'retention: stream not archived; the next run tries again', { tenant: c.tenantId, streamId: c.streamId, error });
      report.failed.push({ streamId: c.streamId, error });
    }
  }
}

const streamObject = (env: Env, c: Candidate) =>
  (env.STREAM as unknown as DurableObjectNamespace<StreamObject>).get(env.STREAM.idFromName(`${c.tenantId}/${c.streamId}`));

/** A connection of the job's own for the moves, closed when they are done. */
async function withConnection<T>(env: Env, fn: (db: Db) => Promise<T>): Promise<T> {
  configureDriver(env);
  const client = new Client({ connectionString: env.DATABASE_URL, statement_timeout: 60_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn({ query: async (text, params) => (await client.query(text, params)).rows });
  } finally {
    await client.end().catch(() => {});
  }
}
