#!/usr/bin/env node
// pg_stat_statements around a benchmark step (bench/read-side.sh uses it around the lag runs).
//
//   node bench/pgtop.mjs --db postgres://…/tracktrace reset
//   node bench/pgtop.mjs --db postgres://…/tracktrace top [--n 10] [--label lag-many]
//
// `top` prints one JSON line {scenario: "pgtop-<label>", totalMs, statements: [{calls, total_ms,
// mean_ms, rows, query}]}: the statements of this database by total execution time since the reset.
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values: a, positionals } = parseArgs({
  allowPositionals: true,
  options: { db: { type: 'string', default: process.env.DATABASE_URL }, n: { type: 'string', default: '10' }, label: { type: 'string', default: 'step' } },
});
const c = new pg.Client({ connectionString: a.db });
await c.connect();
if (positionals[0] === 'reset') {
  await c.query('select pg_stat_statements_reset()');
} else {
  const where = `dbid = (select oid from pg_database where datname = current_database()) and query not like '%pg_stat_statements%'`;
  const r = await c.query(
    `select calls::int, round(total_exec_time::numeric, 1)::float8 as total_ms, round(mean_exec_time::numeric, 3)::float8 as mean_ms, rows::int,
            left(regexp_replace(query, '\\s+', ' ', 'g'), 140) as query
       from pg_stat_statements where ${where} order by total_exec_time desc limit $1`,
    [Number(a.n)],
  );
  const [t] = (await c.query(`select round(sum(total_exec_time))::int as ms from pg_stat_statements where ${where}`)).rows;
  console.log(JSON.stringify({ scenario: `pgtop-${a.label}`, totalMs: t.ms, statements: r.rows }));
}
await c.end();
