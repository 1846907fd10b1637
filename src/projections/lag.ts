// How far the read side is behind, from the outbox: a commit's row stays until the projections
// have applied it, so the oldest row's age is the lag and the row count the backlog. Both are
// index reads on a table that is near empty when all is well (health checks and scrapes poll it).
import type { Db } from '../db/client';

export type ReadSideLag = {
  /** Commits waiting, per tenant. */
  backlog: { tenantId: string; commits: number }[];
  /** Age of the oldest waiting commit, 0 when none waits. */
  lagSeconds: number;
  projections: { name: string; lastAppliedSeconds: number | null; rebuildProgress: number | null }[];
  deadLetters: { queue: string; count: number }[];
  oldestOpenTransactionSeconds: number;
};

const BACKLOG_TENANTS = 100; // the biggest ones; the rest are summed under "(other)"

export async function readSideLag(db: Db): Promise<ReadSideLag> {
  const [backlog, oldest, projections, dead, open] = await Promise.all([
    db.query<{ tenant_id: string; n: string }>(`select tenant_id, count(*) as n from outbox group by tenant_id order by count(*) desc`, []),
    db.query<{ age: number | null }>(`select extract(epoch from now() - created_at)::float8 as age from outbox order by id limit 1`, []),
    db.query<{ name: string; age: number | null; progress: number | null }>(
      `select name, extract(epoch from now() - last_applied_at)::float8 as age,
              case when rebuild_generation is null then null
                   else least(1, rebuild_applied::float8 / greatest(rebuild_total, 1)) end as progress
         from projections order by name`, []),
    db.query<{ queue: string; n: string }>(`select queue, count(*) as n from dead_letters where replayed_at is null group by queue`, []),
    db.query<{ age: number | null }>(`select extract(epoch from now() - min(xact_start))::float8 as age from pg_stat_activity where backend_xid is not null`, []),
  ]);
  const top = backlog.slice(0, BACKLOG_TENANTS).map((r) => ({ tenantId: r.tenant_id, commits: Number(r.n) }));
  const rest = backlog.slice(BACKLOG_TENANTS).reduce((n, r) => n + Number(r.n), 0);
  const secs = (x: number | null | undefined) => (x == null ? 0 : Math.max(0, Math.round(x * 1000) / 1000));
  return {
    backlog: rest ? [...top, { tenantId: '(other)', commits: rest }] : top,
    lagSeconds: secs(oldest[0]?.age),
    projections: projections.map((p) => ({ name: p.name, lastAppliedSeconds: p.age == null ? null : secs(p.age), rebuildProgress: p.progress })),
    deadLetters: dead.map((d) => ({ queue: d.queue, count: Number(d.n) })),
    oldestOpenTransactionSeconds: secs(open[0]?.age),
  };
}

export const backlogTotal = (l: ReadSideLag) => l.backlog.reduce((n, b) => n + b.commits, 0);
