// The global log never skips an event whose transaction commits late, whatever commits around it.
import { Client } from '@neondatabase/serverless';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { configureDriver, type Db } from '../src/db/client';
import { LOG_START, readGlobalLog, type Checkpoint } from '../src/projections/globalLog';
import { api, ev, shipmentStream, sql } from './helpers/api';

const db: Db = { query: (text, params) => sql(text, params) };

/** Reads from `from` until the reader has nothing more to give; returns what it read and where it stopped. */
async function drain(from: Checkpoint) {
  const read: number[] = [];
  let at = from;
  let horizon = '0';
  for (;;) {
    const page = await readGlobalLog(db, at, 5_000);
    horizon = page.horizon;
    if (!page.rows.length) return { read, at, horizon };
    read.push(...page.rows.map((r) => r.position));
    const last = page.rows[page.rows.length - 1]!;
    at = { tx: last.tx, position: last.position };
  }
}

describe('global log', () => {
  it('waits for a slow transaction instead of skipping its event, while other writers commit after it', async () => {
    configureDriver(env as Env);
    const slow = new Client({ connectionString: (env as Env).DATABASE_URL });
    slow.on('error', () => {}); // the socket closes with the test's runtime
    await slow.connect();
    const slowStream = shipmentStream();
    try {
      // the slow transaction takes its position first, then stays open
      await slow.query('begin');
      const [inserted] = (await slow.query(
        `insert into events (tenant_id, stream_id, version, event_id, event_type, schema_version, data, occurred_at)
         values ('tenant-slow', $1, 1, gen_random_uuid(), 'ShipmentStatusRecorded', 1, '{"code":"RCS","pieces":1,"weightKg":1}', now())
         returning global_position, transaction_id::text as tx`, [slowStream])).rows as { global_position: string; tx: string }[];
      const slowPosition = Number(inserted!.global_position);

      // concurrent writers commit with later positions
      const writers = await Promise.all(Array.from({ length: 8 }, async () => {
        const res = await api('POST', `/v1/streams/${shipmentStream()}/events`, { body: { events: [ev(), ev()] } });
        expect(res.status).toBe(201);
        return res.body.positions as number[];
      }));
      const later = writers.flat();
      expect(Math.min(...later)).toBeGreaterThan(slowPosition); // a reader checkpointing by position alone would skip it

      const before = await drain(LOG_START);
      expect(before.read).not.toContain(slowPosition);
      expect(BigInt(before.horizon)).toBeLessThanOrEqual(BigInt(inserted!.tx)); // held back by the open transaction
      for (const p of later) expect(before.read).not.toContain(p); // they committed after it began: not yet

      await slow.query('commit');
      const after = await drain(before.at);
      expect(after.read).toContain(slowPosition);
      for (const p of later) expect(after.read).toContain(p);

      // nothing below the final horizon was skipped, nothing read twice
      const all = [...before.read, ...after.read];
      expect(new Set(all).size).toBe(all.length);
      const stored = await sql<{ global_position: string }>('select global_position from events where transaction_id < $1::xid8', [after.horizon]);
      expect(new Set(all)).toEqual(new Set(stored.map((r) => Number(r.global_position))));
    } finally {
      await slow.query('rollback').catch(() => {});
      await slow.end();
      await sql('delete from events where tenant_id = $1', ['tenant-slow']);
    }
  });
});
