// Commands queued behind a commit share the next one: decided in order on the evolving state, their
// events written in one transaction (seen here as one transaction_id), each answered with its own.
import { describe, expect, it } from 'vitest';
import { api, awb, sql } from './helpers/api';
import { tapStream } from './helpers/streamTap';

const status = (id: string, body: Record<string, unknown>, headers?: Record<string, string>) =>
  api('POST', `/v1/shipments/${id}/statuses`, { body: { weightKg: 1, location: 'LIM', ...body }, headers });

const stored = async (id: string) =>
  (await sql<{ version: string; code: string; tx: string; event_id: string }>(
    `select version, data->>'code' as code, transaction_id::text as tx, event_id from events where stream_id = $1 order by version`,
    [`shipment-${id}`],
  )).map((r) => ({ version: Number(r.version), code: r.code, tx: r.tx, id: r.event_id }));

describe('commands queued together', () => {
  it('commit in one transaction, in order, with contiguous versions, each answered with its own event', async () => {
    const id = awb();
    expect((await status(id, { code: 'RCS', pieces: 1 })).status).toBe(201);
    const tap = await tapStream(`shipment-${id}`);
    const hold = tap.holdNextCommit('before');
    const first = status(id, { code: 'RCS', pieces: 2 });
    await hold.reached;
    const queued = Array.from({ length: 10 }, (_, i) => status(id, { code: 'FOH', pieces: i + 1 }));
    await tap.queued(10);
    hold.release();
    expect((await first).body.version).toBe(2);
    const answers = await Promise.all(queued);
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    expect(answers.map((a) => a.body.version).sort((x, y) => x - y)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    for (const [i, a] of answers.entries()) {
      expect(a.body.events).toHaveLength(1);
      expect(a.body.events[0]).toMatchObject({ version: a.body.version, data: { code: 'FOH', pieces: i + 1 } });
    }
    const rows = await stored(id);
    expect(rows.map((r) => r.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(new Set(rows.slice(2).map((r) => r.tx)).size).toBe(1); // the ten queued: one commit
    expect(rows[2]!.tx).not.toBe(rows[1]!.tx);
    expect(tap.commits()).toBe(2);
    const state = await api('GET', `/v1/streams/shipment-${id}/state`);
    expect(state.body).toMatchObject({ version: 12, state: { lastCode: 'FOH', piecesReceived: 2 } });
  });

  it('decide each command on the state the ones before it in the group left', async () => {
    const id = awb();
    expect((await status(id, { code: 'RCS', pieces: 3 })).status).toBe(201);
    const tap = await tapStream(`shipment-${id}`);
    const hold = tap.holdNextCommit('before');
    const first = status(id, { code: 'FOH', pieces: 3 });
    await hold.reached;
    // four deliveries of one piece: three fit what was received, the fourth does not
    const deliveries = Array.from({ length: 4 }, () => status(id, { code: 'DLV', pieces: 1 }));
    await tap.queued(4);
    // expects the version before the group: the deliveries ahead of it moved the stream on
    const late = status(id, { code: 'DIS', pieces: 1, discrepancy: 'DMCA' }, { 'if-match': '"2"' });
    await tap.queued(5);
    hold.release();
    expect((await first).status).toBe(201);
    const answers = await Promise.all(deliveries);
    expect(answers.filter((a) => a.status === 201).map((a) => a.body.version).sort()).toEqual([3, 4, 5]);
    expect(answers.filter((a) => a.status === 409).map((a) => a.body.code)).toEqual(['status_after_delivery']);
    expect((await late).body).toMatchObject({ status: 409, code: 'wrong_expected_version', currentVersion: 5 });
    const rows = await stored(id);
    expect(rows.map((r) => r.code)).toEqual(['RCS', 'FOH', 'DLV', 'DLV', 'DLV']);
    expect(new Set(rows.slice(2).map((r) => r.tx)).size).toBe(1);
  });

  it('replay a keyed command inside a group, and refuse its key with another body', async () => {
    const id = awb();
    expect((await status(id, { code: 'RCS', pieces: 5 })).status).toBe(201);
    const earlier = await status(id, { code: 'FOH', pieces: 1 }, { 'idempotency-key': `k0-${id}` });
    expect(earlier.body.version).toBe(2);
    const tap = await tapStream(`shipment-${id}`);
    const hold = tap.holdNextCommit('before');
    const first = status(id, { code: 'FOH', pieces: 2 });
    await hold.reached;
    const k1 = { 'idempotency-key': `k1-${id}` };
    const order = [
      () => status(id, { code: 'FOH', pieces: 1 }, { 'idempotency-key': `k0-${id}` }), // stored before
      () => status(id, { code: 'FOH', pieces: 3 }, k1),
      () => status(id, { code: 'FOH', pieces: 4 }),
      () => status(id, { code: 'FOH', pieces: 3 }, k1), // a retry queued behind its original
      () => status(id, { code: 'FOH', pieces: 9 }, k1), // the same key, another body
    ];
    const answers: Promise<Awaited<ReturnType<typeof status>>>[] = [];
    for (const [i, send] of order.entries()) {
      answers.push(send());
      await tap.queued(i + 1);
    }
    hold.release();
    expect((await first).body.version).toBe(3);
    const [k0Again, k1First, plain, k1Again, k1Other] = await Promise.all(answers);
    expect(k0Again!.status).toBe(201);
    expect(k0Again!.headers.get('idempotent-replayed')).toBe('true');
    expect(k0Again!.body).toEqual(earlier.body);
    expect(k1First!.status).toBe(201);
    expect(k1First!.headers.get('idempotent-replayed')).toBeNull();
    expect(k1First!.body.version).toBe(4);
    expect(plain!.body.version).toBe(5);
    expect(k1Again!.status).toBe(201);
    expect(k1Again!.headers.get('idempotent-replayed')).toBe('true');
    expect(k1Again!.body).toEqual(k1First!.body);
    expect(k1Other!.status).toBe(422);
    expect(k1Other!.body.code).toBe('idempotency_key_reused');
    const rows = await stored(id);
    expect(rows.map((r) => r.version)).toEqual([1, 2, 3, 4, 5]);
    expect(rows[3]!.tx).toBe(rows[4]!.tx); // k1 and the plain one: one commit
  });

  it('decide a group again on the stored state when Postgres refuses its events', async () => {
    const id = awb();
    const s = `shipment-${id}`;
    expect((await status(id, { code: 'RCS', pieces: 2 })).status).toBe(201);
    const tap = await tapStream(s);
    const hold = tap.holdNextCommit('after');
    const first = status(id, { code: 'FOH', pieces: 2 });
    await hold.reached;
    // someone else (a stale instance) delivers the shipment behind the object's back
    await sql(`insert into events (tenant_id, stream_id, version, event_id, event_type, schema_version, data, location, occurred_at)
               values ('tenant-a', $1, 3, gen_random_uuid(), 'ShipmentStatusRecorded', 1, '{"code":"DLV","pieces":2,"weightKg":20}', 'LIM', now())`, [s]);
    await sql(`update streams set version = 3 where tenant_id = 'tenant-a' and stream_id = $1`, [s]);
    // On the object's state (version 2, nothing delivered) all three pass; on the stored one only the
    // DIS does. Had each been its own request (expecting 2, 3, 4), the refused FOH would have left
    // the DLV expecting 3 = the stored version: a second delivery committed on a wrong state.
    const queued: ReturnType<typeof status>[] = [];
    for (const body of [{ code: 'FOH', pieces: 2 }, { code: 'DLV', pieces: 1 }, { code: 'DIS', pieces: 1, discrepancy: 'DMCA' }]) {
      queued.push(status(id, body));
      await tap.queued(queued.length); // in this order
    }
    hold.release();
    expect((await first).body.version).toBe(2);
    const [foh, dlv, dis] = await Promise.all(queued);
    expect(foh!.body).toMatchObject({ status: 409, code: 'status_after_delivery' });
    expect(dlv!.body).toMatchObject({ status: 409, code: 'status_after_delivery' });
    expect(dis!.body).toMatchObject({ version: 4, events: [{ version: 4, data: { code: 'DIS' } }] });
    expect((await stored(id)).map((r) => r.code)).toEqual(['RCS', 'FOH', 'DLV', 'DIS']);
  });
});
