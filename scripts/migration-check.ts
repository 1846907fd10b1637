// `tsx scripts/migration-check.ts`: the expand/contract rule for migrations/ (README "Deploy").
// Migrations run BEFORE the new version takes traffic, while the old version still serves (and, in
// a gradual rollout or after a rollback, serves for a while longer), so a migration may only EXPAND
// the schema: new tables, nullable columns or columns with a default, indexes, functions (CREATE OR
// REPLACE keeps the old signature working), data backfills. Whatever the old version could still
// need (drop, rename, type change, a new NOT NULL or constraint on an existing column, deleting rows)
// is a CONTRACT step: a later migration, shipped once no running version needs the old shape, and
// marked on its first line:
//
//   -- contract: <why>, safe after <version/commit> is fully deployed
//
// Migrations written before this rule that do contract are in ALLOWED below, each with its reason.
// The check also keeps drizzle's journal honest: drizzle's migrator applies a migration only if its
// `when` is later than the last one applied, so a file missing from the journal, or an entry out of
// order (a merge of two branches), would be skipped without a word.
// The SQL is tokenized (comments, strings, quoted identifiers and $$-bodies of functions are not
// looked into), so a DELETE inside a function body is not a DELETE of the migration.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Migrations from before the rule that contract, and why that was (and stays) acceptable. Never add to this: mark new ones. */
export const ALLOWED: Record<string, string> = {
  '0007_read_indexes':
    'drops events_type_time_idx, a plain (non-unique) index no query used; dropping an index cannot break a query of the old version, only slow it. Shipped before the expand/contract rule.',
  '0009_events_natural_key':
    'makes the existing unique (tenant_id, stream_id, version) index the events primary key instead of global_position: both stay unique (positions by their identity sequence), no query looks an event up by position, and no code names the constraint. Shipped before the expand/contract rule.',
};

export type Finding = { level: 'error' | 'warning'; statement: string; message: string };

type Token = { t: 'word'; v: string } | { t: 'ident'; v: string } | { t: 'str' } | { t: 'num' } | { t: 'punct'; v: string } | { t: ';' };

/** Postgres SQL as tokens, without comments; strings, $$-bodies and quoted identifiers as single tokens. */
export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql.startsWith('/*', i)) (depth++, (i += 2));
        else if (sql.startsWith('*/', i)) (depth--, (i += 2));
        else i++;
      }
    } else if (c === "'") {
      // E'…' strings take backslash escapes; '' is a quote in both kinds
      const prev = out.at(-1);
      const escapes = prev?.t === 'word' && prev.v === 'E' && sql[i - 1] === 'E';
      if (escapes) out.pop();
      i++;
      while (i < n) {
        if (escapes && sql[i] === '\\') i += 2;
        else if (sql[i] === "'" && sql[i + 1] === "'") i += 2;
        else if (sql[i] === "'") break;
        else i++;
      }
      i++;
      out.push({ t: 'str' });
    } else if (c === '"') {
      let v = '';
      i++;
      while (i < n) {
        if (sql[i] === '"' && sql[i + 1] === '"') (v += '"', (i += 2));
        else if (sql[i] === '"') break;
        else v += sql[i++];
      }
      i++;
      out.push({ t: 'ident', v });
    } else if (c === '$' && /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.test(sql.slice(i, i + 64))) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64))![0];
      const end = sql.indexOf(tag, i + tag.length);
      i = end < 0 ? n : end + tag.length;
      out.push({ t: 'str' });
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i))![0];
      out.push({ t: 'word', v: m.toUpperCase() });
      i += m.length;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9.eE]+/.exec(sql.slice(i))![0];
      out.push({ t: 'num' });
      i += m.length;
    } else if (c === ';') {
      out.push({ t: ';' });
      i++;
    } else {
      out.push({ t: 'punct', v: c });
      i++;
    }
  }
  return out;
}

const statementsOf = (tokens: Token[]): Token[][] => {
  const all: Token[][] = [[]];
  for (const tok of tokens) {
    if (tok.t === ';') all.push([]);
    else all.at(-1)!.push(tok);
  }
  return all.filter((s) => s.length > 0);
};

const show = (stmt: Token[]) =>
  stmt
    .slice(0, 10)
    .map((t) => (t.t === 'word' ? t.v : t.t === 'ident' ? `"${t.v}"` : t.t === 'str' ? "'…'" : t.t === 'num' ? '0' : t.t === 'punct' ? t.v : ';'))
    .join(' ')
    .replace(/ ([,)])/g, '$1')
    .replace(/\( /g, '(') + (stmt.length > 10 ? ' …' : '');

const word = (t: Token | undefined) => (t?.t === 'word' ? t.v : null);
const name = (t: Token | undefined) => (t?.t === 'word' ? t.v.toLowerCase() : t?.t === 'ident' ? t.v : null);

/** Splits `a, b (c, d), e` at the commas outside parentheses. */
function splitTopLevel(tokens: Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const tok of tokens) {
    if (tok.t === 'punct' && tok.v === '(') depth++;
    if (tok.t === 'punct' && tok.v === ')') depth--;
    if (depth === 0 && tok.t === 'punct' && tok.v === ',') parts.push([]);
    else parts.at(-1)!.push(tok);
  }
  return parts.filter((p) => p.length > 0);
}

/** A qualified name (`schema.table` or `table`) at tokens[i]: the last part, and the index after it. */
function qualifiedName(tokens: Token[], i: number): [string | null, number] {
  let last = name(tokens[i]);
  i++;
  while (tokens[i]?.t === 'punct' && (tokens[i] as { v: string }).v === '.') {
    last = name(tokens[i + 1]);
    i += 2;
  }
  return [last, i];
}

const has = (tokens: Token[], ...words: string[]) => tokens.some((t, i) => words.every((w, k) => word(tokens[i + k]) === w));

/** Findings of one migration's SQL (without the contract marker and the allowlist: see checkMigration). */
export function checkSql(sql: string): Finding[] {
  const findings: Finding[] = [];
  const statements = statementsOf(tokenize(sql));
  // tables this migration creates: nothing old reads them, so anything goes on them
  const created = new Set<string>();
  for (const s of statements) {
    if (word(s[0]) !== 'CREATE') continue;
    let i = 1;
    while (['UNLOGGED', 'TEMP', 'TEMPORARY', 'GLOBAL', 'LOCAL'].includes(word(s[i]) ?? '')) i++;
    if (word(s[i]) !== 'TABLE') continue;
    i++;
    if (word(s[i]) === 'IF') i += 3;
    const [table] = qualifiedName(s, i);
    if (table) created.add(table);
  }
  for (const s of statements) {
    const at = show(s);
    const err = (message: string) => findings.push({ level: 'error', statement: at, message });
    const warn = (message: string) => findings.push({ level: 'warning', statement: at, message });
    const head = word(s[0]);
    if (head === 'DROP') {
      err(`DROP ${word(s[1]) ?? ''} removes something the old version may still use: a contract step`);
    } else if (head === 'TRUNCATE') {
      err('TRUNCATE removes rows the old version may still read: a contract step');
    } else if (head === 'DELETE') {
      err('DELETE removes rows the old version may still read: a contract step');
    } else if (head === 'DO') {
      warn('a DO block cannot be checked: keep it to expand-only work (or mark the migration as a contract step)');
    } else if (head === 'CREATE') {
      const unique = word(s[1]) === 'UNIQUE';
      const idx = unique ? 2 : 1;
      if (word(s[idx]) === 'INDEX') {
        let i = idx + 1;
        if (word(s[i]) === 'CONCURRENTLY') {
          err("CREATE INDEX CONCURRENTLY cannot run inside the migrator's transaction (drizzle applies all pending migrations in one): build it by hand before the deploy and write the migration with IF NOT EXISTS");
          i++;
        }
        const on = s.findIndex((t, k) => k >= i && word(t) === 'ON');
        const [table] = on >= 0 ? qualifiedName(s, on + 1 + (word(s[on + 1]) === 'ONLY' ? 1 : 0)) : [null];
        if (table && !created.has(table)) {
          if (unique) err(`a new UNIQUE index on the existing table ${table} refuses rows the old version may still write: a contract step`);
          else warn(`CREATE INDEX on the existing table ${table} blocks writes to it while it builds: fine while it is small; for a big table build it by hand with CREATE INDEX CONCURRENTLY before the deploy (and write IF NOT EXISTS here)`);
        }
      }
    } else if (head === 'ALTER') {
      const kind = word(s[1]);
      if (kind === 'TABLE') {
        let i = 2;
        if (word(s[i]) === 'IF' && word(s[i + 1]) === 'EXISTS') i += 2;
        if (word(s[i]) === 'ONLY') i++;
        const [table, after] = qualifiedName(s, i);
        if (table && created.has(table)) continue;
        for (const action of splitTopLevel(s.slice(after))) alterAction(action, table ?? '?', err);
      } else if (has(s, 'RENAME')) {
        err(`ALTER ${kind} … RENAME: the old version still uses the old name; a contract step`);
      } else if (kind === 'TYPE' && has(s, 'DROP')) {
        err('ALTER TYPE … DROP: the old version may still use it; a contract step');
      }
    }
  }
  return findings;
}

function alterAction(a: Token[], table: string, err: (m: string) => void) {
  const w0 = word(a[0]);
  if (w0 === 'RENAME') return err(`renaming in ${table}: the old version still uses the old name; a contract step`);
  if (w0 === 'DROP') {
    const what = word(a[1]) === 'CONSTRAINT' ? 'a constraint' : 'a column';
    return err(`dropping ${what} of ${table}: the old version may still use it; a contract step`);
  }
  if (w0 === 'ALTER') {
    const column = word(a[1]) === 'COLUMN' ? name(a[2]) : name(a[1]);
    const rest = a.slice(word(a[1]) === 'COLUMN' ? 3 : 2);
    const r0 = word(rest[0]);
    const r1 = word(rest[1]);
    if (r0 === 'TYPE' || (r0 === 'SET' && r1 === 'DATA')) return err(`changing the type of ${table}.${column}: the old version reads and writes the old type; a contract step`);
    if (r0 === 'SET' && r1 === 'NOT') return err(`SET NOT NULL on ${table}.${column}: the old version may still write rows without it; a contract step`);
    if (r0 === 'DROP' && r1 === 'NOT') return; // relaxing is expanding
    if (r0 === 'DROP') return err(`DROP ${r1 ?? ''} on ${table}.${column}: the old version may rely on it; a contract step`);
    return;
  }
  if (w0 === 'ADD') {
    let i = 1;
    const w1 = word(a[i]);
    if (w1 === 'CONSTRAINT' || w1 === 'PRIMARY' || w1 === 'UNIQUE' || w1 === 'CHECK' || w1 === 'FOREIGN' || w1 === 'EXCLUDE') {
      if (has(a, 'NOT', 'VALID')) return; // checked for new rows only, validated later (a contract step)
      return err(`a new constraint on the existing table ${table} refuses rows the old version may still write: add CHECK/FOREIGN KEY … NOT VALID, or make it a contract step`);
    }
    if (w1 === 'COLUMN') i++;
    if (word(a[i]) === 'IF') i += 3;
    const column = name(a[i]);
    const notNull = has(a, 'NOT', 'NULL') || has(a, 'PRIMARY', 'KEY');
    const hasDefault = has(a, 'DEFAULT') || has(a, 'GENERATED');
    if (notNull && !hasDefault) return err(`${table}.${column} is NOT NULL without a default: the old version's INSERTs do not name it and would fail`);
    // the old version leaves the column NULL (passes CHECK and REFERENCES) or at its default: the same
    // default in every row it writes cannot be UNIQUE
    if (hasDefault && (has(a, 'UNIQUE') || has(a, 'PRIMARY', 'KEY'))) {
      return err(`${table}.${column} is unique with a default: every row the old version writes gets the same value`);
    }
  }
}

/** The reason on a migration's first line `-- contract: <why>, safe after <version> is fully deployed`, or null. */
export function contractMarker(sql: string): string | null {
  const first = sql.split('\n').find((l) => l.trim() !== '');
  const m = /^\s*--\s*contract:\s*(.+)$/i.exec(first ?? '');
  return m ? m[1]!.trim() : null;
}

export type Result = { migration: string; status: 'ok' | 'contract' | 'allowed' | 'failed'; findings: Finding[]; note?: string };

export function checkMigration(tag: string, sql: string, allowed: Record<string, string> = ALLOWED): Result {
  const findings = checkSql(sql);
  const errors = findings.filter((f) => f.level === 'error');
  const marker = contractMarker(sql);
  if (marker !== null) {
    if (!/safe after\s+\S/i.test(marker)) {
      return { migration: tag, status: 'failed', findings: [{ level: 'error', statement: '-- contract: …', message: 'the contract marker must say after which version it is safe: "-- contract: <why>, safe after <version> is fully deployed"' }, ...findings] };
    }
    return { migration: tag, status: 'contract', findings, note: marker };
  }
  if (errors.length > 0 && allowed[tag]) return { migration: tag, status: 'allowed', findings, note: allowed[tag] };
  return { migration: tag, status: errors.length > 0 ? 'failed' : 'ok', findings };
}

type Journal = { entries: { idx: number; when: number; tag: string }[] };

/** Every migration of a drizzle folder, plus the journal's own problems (as failed results). */
export function checkFolder(dir: string, allowed: Record<string, string> = ALLOWED): Result[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  const results = files.map((f) => checkMigration(f.replace(/\.sql$/, ''), readFileSync(path.join(dir, f), 'utf8'), allowed));
  const journal = JSON.parse(readFileSync(path.join(dir, 'meta', '_journal.json'), 'utf8')) as Journal;
  const problems: string[] = [];
  const tags = journal.entries.map((e) => e.tag);
  for (const f of files) if (!tags.includes(f.replace(/\.sql$/, ''))) problems.push(`${f} is not in meta/_journal.json: drizzle would never apply it`);
  for (const t of tags) if (!files.includes(`${t}.sql`)) problems.push(`meta/_journal.json lists ${t}, which has no .sql file`);
  journal.entries.forEach((e, i) => {
    const prev = journal.entries[i - 1];
    if (e.idx !== i) problems.push(`journal entry ${e.tag} has idx ${e.idx}, expected ${i}`);
    if (prev && e.when <= prev.when) {
      problems.push(`journal entry ${e.tag} has "when" ${e.when}, not after ${prev.tag}'s ${prev.when}: a database that already has ${prev.tag} would skip it`);
    }
  });
  if (problems.length > 0) results.push({ migration: 'meta/_journal.json', status: 'failed', findings: problems.map((message) => ({ level: 'error', statement: '', message })) });
  // an allowlist entry for a migration that no longer needs it (or no longer exists) is stale
  for (const tag of Object.keys(allowed)) {
    const r = results.find((x) => x.migration === tag);
    if (!r) results.push({ migration: tag, status: 'failed', findings: [{ level: 'error', statement: '', message: 'in ALLOWED but there is no such migration' }] });
    else if (r.status !== 'allowed') r.findings.push({ level: 'warning', statement: '', message: 'in ALLOWED but passes without it: remove the entry' });
  }
  return results;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2] ?? fileURLToPath(new URL('../migrations', import.meta.url));
  const results = checkFolder(dir);
  for (const r of results) {
    const label = { ok: 'ok', contract: 'contract step', allowed: 'allowed (before the rule)', failed: 'FAILED' }[r.status];
    console.log(`${r.migration}: ${label}${r.note ? ` — ${r.note}` : ''}`);
    for (const f of r.findings) console.log(`  ${f.level}: ${f.message}${f.statement ? `\n    at: ${f.statement}` : ''}`);
  }
  const failed = results.filter((r) => r.status === 'failed');
  if (failed.length > 0) {
    console.error(`migration-check: ${failed.length} migration(s) break the expand/contract rule (README "Deploy"): make them expand-only, or mark a contract step on the first line:\n  -- contract: <why>, safe after <version> is fully deployed`);
    process.exit(1);
  }
  console.log(`migration-check: ${results.length} migrations follow the expand/contract rule`);
}
