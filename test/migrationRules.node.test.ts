// The expand/contract rule for migrations (scripts/migration-check.ts, README "Deploy"): every file in
// migrations/ follows it, is marked as a contract step, or is one of the few from before the rule
// (ALLOWED, each with its reason); and the rule itself, on small good and bad samples.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALLOWED, checkFolder, checkMigration, checkSql, contractMarker } from '../scripts/migration-check';

const MIGRATIONS = path.join(__dirname, '..', 'migrations');
const errorsOf = (sql: string) => checkSql(sql).filter((f) => f.level === 'error');

describe('migrations/', () => {
  const results = checkFolder(MIGRATIONS);

  it('every migration is expand-only, a marked contract step, or allowed with a reason', () => {
    const failed = results.filter((r) => r.status === 'failed').map((r) => `${r.migration}: ${r.findings.map((f) => f.message).join('; ')}`);
    expect(failed).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(11);
  });

  it('the allowlist holds only migrations that need it, each with its reason', () => {
    for (const [tag, reason] of Object.entries(ALLOWED)) {
      expect(results.find((r) => r.migration === tag)?.status, tag).toBe('allowed');
      expect(reason.length).toBeGreaterThan(40);
    }
  });
});

describe('the expand/contract rule', () => {
  it('accepts ordinary expand migrations: tables, nullable or defaulted columns, indexes, functions, backfills', () => {
    const sql = `
      CREATE TABLE "retention_policies" ("tenant_id" text NOT NULL, "events_keep" text NOT NULL,
        CONSTRAINT "retention_policies_pk" PRIMARY KEY("tenant_id"));
      --> statement-breakpoint
      CREATE UNIQUE INDEX "retention_policies_uq" ON "retention_policies" USING btree ("tenant_id");
      ALTER TABLE "retention_policies" ADD COLUMN "updated_by" text NOT NULL;
      ALTER TABLE "streams" ADD COLUMN "archived_at" timestamp with time zone;
      ALTER TABLE "streams" ADD COLUMN "tier" text DEFAULT 'standard' NOT NULL;
      ALTER TABLE "streams" ALTER COLUMN "retain_until" DROP NOT NULL, ALTER COLUMN "entity_type" SET DEFAULT 'x';
      ALTER TABLE "dead_letters" ADD CONSTRAINT "dead_letters_queue_ck" CHECK (queue <> '') NOT VALID;
      CREATE INDEX IF NOT EXISTS "streams_retention_idx" ON "streams" USING btree ("tenant_id", "created_at") WHERE archived_at IS NULL;
      CREATE OR REPLACE FUNCTION tt_archive(p text) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM events WHERE stream_id = p;  -- inside a body: not the migration's own DELETE
        ALTER TABLE x DROP COLUMN y;
      END;
      $$;
      INSERT INTO projections (name) VALUES ('archive') ON CONFLICT DO NOTHING;
      UPDATE streams SET tier = 'standard' WHERE tier IS NULL;
      COMMENT ON COLUMN streams.archived_at IS 'DROP TABLE in a string is a string';
    `;
    expect(errorsOf(sql)).toEqual([]);
    // an index on an existing table locks its writes while it builds: said, not refused
    expect(checkSql(sql).filter((f) => f.level === 'warning').map((f) => f.message)).toEqual([expect.stringMatching(/existing table streams blocks writes/)]);
  });

  it.each([
    ['DROP TABLE "rm_status";', /DROP TABLE/],
    ['DROP INDEX "events_global_order_idx";', /DROP INDEX/],
    ['ALTER TABLE "events" DROP COLUMN "location";', /dropping a column of events/],
    ['ALTER TABLE "streams" RENAME COLUMN "retain_until" TO "keep_until";', /renaming in streams/],
    ['ALTER TABLE "streams" RENAME TO "stream_heads";', /renaming in streams/],
    ['ALTER TABLE "events" ALTER COLUMN "schema_version" TYPE bigint;', /type of events.schema_version/],
    ['ALTER TABLE "events" ALTER COLUMN "schema_version" SET DATA TYPE bigint;', /type of events.schema_version/],
    ['ALTER TABLE "events" ALTER COLUMN "location" SET NOT NULL;', /SET NOT NULL on events.location/],
    ['ALTER TABLE "streams" ALTER COLUMN "created_at" DROP DEFAULT;', /DROP DEFAULT on streams.created_at/],
    ['ALTER TABLE "streams" ADD COLUMN "owner" text NOT NULL;', /streams.owner is NOT NULL without a default/],
    ['ALTER TABLE "streams" ADD COLUMN "slug" text DEFAULT \'x\' UNIQUE;', /unique with a default/],
    ['ALTER TABLE "streams" ADD CONSTRAINT "streams_entity_ck" CHECK (entity_type <> \'\');', /new constraint on the existing table streams/],
    ['CREATE UNIQUE INDEX "events_type_uq" ON "events" ("tenant_id", "event_type");', /UNIQUE index on the existing table events/],
    ['CREATE INDEX CONCURRENTLY "events_loc_idx" ON "events" ("location");', /cannot run inside the migrator's transaction/],
    ['ALTER FUNCTION tt_append(text, text, text, jsonb) RENAME TO tt_append_old;', /RENAME/],
    ['TRUNCATE "outbox";', /TRUNCATE/],
    ['DELETE FROM "dead_letters" WHERE replayed_at IS NOT NULL;', /DELETE/],
  ])('refuses %s', (sql, message) => {
    const errors = errorsOf(sql);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(message);
  });

  it('lets a migration marked as a contract step through, only with its reason and after which version', () => {
    const drop = 'ALTER TABLE "events" DROP COLUMN "location";';
    expect(checkMigration('0042_drop_location', drop).status).toBe('failed');
    const marked = `-- contract: nothing reads events.location since 0040, safe after v2026.11.30 is fully deployed\n${drop}`;
    expect(contractMarker(marked)).toMatch(/^nothing reads/);
    expect(checkMigration('0042_drop_location', marked)).toMatchObject({ status: 'contract' });
    const vague = `-- contract: cleanup\n${drop}`;
    expect(checkMigration('0042_drop_location', vague).status).toBe('failed');
    // the marker must be the first line, not somewhere in the file
    expect(checkMigration('0042_drop_location', `${drop}\n-- contract: x, safe after v1 is fully deployed`).status).toBe('failed');
  });

  it("checks drizzle's journal: a file it does not list, or an entry out of order, would never be applied", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'migration-check-'));
    try {
      mkdirSync(path.join(dir, 'meta'));
      writeFileSync(path.join(dir, '0000_a.sql'), 'CREATE TABLE a (id int);');
      writeFileSync(path.join(dir, '0001_b.sql'), 'CREATE TABLE b (id int);');
      writeFileSync(path.join(dir, '0002_c.sql'), 'CREATE TABLE c (id int);');
      const journal = { entries: [{ idx: 0, when: 2000, tag: '0000_a' }, { idx: 1, when: 1000, tag: '0001_b' }] };
      writeFileSync(path.join(dir, 'meta', '_journal.json'), JSON.stringify(journal));
      const problems = checkFolder(dir, {}).find((r) => r.migration === 'meta/_journal.json');
      expect(problems?.status).toBe('failed');
      expect(problems?.findings.map((f) => f.message)).toEqual([
        expect.stringMatching(/0002_c.sql is not in meta\/_journal.json/),
        expect.stringMatching(/0001_b has "when" 1000, not after 0000_a's 2000/),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
