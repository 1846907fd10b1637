// Writers racing on one stream: a writer that lost learns the new version from the stream's object
// (no Postgres round trip), and re-reads from its memory; a request whose ids are stored, or held by
// a request in flight, still goes to Postgres and gets what tt_append answers.
import { describe, expect, it } from 'vitest';
import { api, ev, eventually, shipmentStream, sql } from './helpers/api';
import { tapStream } from './helpers/streamTap';

const append = (s: string, expectedVersion: unknown, events: unknown[]) =>
  api('POST', `/v1/streams/${s}/events`, { body: { expectedVersion, events } });

const versions = async (s: string) =>
  (await sql<{ version: string }>('select version from events where stream_id = $1 order by version', [s])).map((r) => Number(r.version));

describe('a writer that lost a race', () => {
  it('is answered from memory with the version it lost to, re-reads from memory, and wins its retry', async () => {
    const s = shipmentStream();
    expect((await append(s, 'no_stream', [ev(), ev(), ev()])).status).toBe(201);
    // 8 writers read version 3 and race
    const race = await Promise.all(Array.from({ length: 8 }, () => append(s, 3, [ev()])));
    expect(race.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    for (const r of race.filter((x) => x.status === 409)) expect(r.body).toMatchObject({ code: 'wrong_expected_version', currentVersion: 4 });

    const tap = await tapStream(s);
    for (const [expected, current] of [[3, 4], [2, 4], ['no_stream', 4]] as const) {
      const lost = await append(s, expected, [ev()]);
      expect(lost.status).toBe(409);
      expect(lost.body).toMatchObject({ code: 'wrong_expected_version', currentVersion: current });
    }
    // the re-read a hot writer does (load.mjs: events after the last version it saw)
    const reread = await api('GET', `/v1/streams/${s}/events?limit=1000&fromVersion=4`);
    expect(reread.status).toBe(200);
    expect(reread.body).toMatchObject({ version: 4, events: [{ version: 4 }] });
    expect(tap.queries).toEqual([]); // none of it reached Postgres
    // a version above ours may have been written by someone else: only Postgres can tell
    const ahead = await append(s, 7, [ev()]);
    expect(ahead.body).toMatchObject({ code: 'wrong_expected_version', currentVersion: 4 });
    expect(tap.commits()).toBe(1);

    const retry = await append(s, 4, [ev()]);
    expect(retry.body).toMatchObject({ fromVersion: 5, toVersion: 5 });
    expect(tap.commits()).toBe(2);
    expect(await versions(s)).toEqual([1, 2, 3, 4, 5]);
  });

  it('never gets 409 for a retry of a committed request, whatever version the retry expects', async () => {
    const s = shipmentStream();
    const id = crypto.randomUUID();
    const original = [ev({ id }), ev({ id: crypto.randomUUID(), data: { code: 'FOH', pieces: 3, weightKg: 120 } })];
    const first = await append(s, 'no_stream', original);
    expect(first.status).toBe(201);
    expect((await append(s, 2, [ev()])).status).toBe(201);
    const tap = await tapStream(s);
    for (const expected of ['no_stream', 0, 1, 2]) {
      const again = await append(s, expected, original);
      expect(again.status, `expected ${expected}`).toBe(200);
      expect(again.body).toEqual(first.body);
    }
    // stored ids decide before the version, as tt_append does: other content or only some stored
    const changed = await append(s, 0, [{ ...original[0], data: { code: 'DIS', pieces: 1, weightKg: 1, discrepancy: 'DMCA' } }]);
    expect(changed.body).toMatchObject({ status: 409, code: 'event_id_conflict', eventIds: [id] });
    const partly = await append(s, 0, [original[0], ev({ id: crypto.randomUUID() })]);
    expect(partly.body).toMatchObject({ status: 409, code: 'event_id_conflict' });
    expect(tap.commits()).toBe(6); // each of them asked Postgres
    expect(await versions(s)).toEqual([1, 2, 3]);
  });

  it('waits behind its original while that is in flight, and gets the original versions', async () => {
    const s = shipmentStream();
    expect((await append(s, 'no_stream', [ev(), ev()])).status).toBe(201);
    const tap = await tapStream(s);
    const id = crypto.randomUUID();
    const hold = tap.holdNextCommit('before');
    const original = append(s, 2, [ev({ id })]);
    await hold.reached;
    // a writer that read version 1 loses whatever the commit in flight does: it waits its turn
    const stale = append(s, 1, [ev()]);
    // retries of the original (with the version it expected, or an older one) wait for it
    const retries = [append(s, 2, [ev({ id })]), append(s, 1, [ev({ id })])];
    await tap.queued(2);
    expect(tap.commits()).toBe(1);
    hold.release();
    const first = await original;
    expect(first.body).toMatchObject({ fromVersion: 3, toVersion: 3 });
    expect((await stale).body).toMatchObject({ code: 'wrong_expected_version', currentVersion: 3 });
    for (const r of await Promise.all(retries)) {
      expect(r.status).toBe(200);
      expect(r.body).toEqual(first.body);
    }
    expect(await versions(s)).toEqual([1, 2, 3]);
  });

  it('serves writers racing on one stream in turn: every attempt answered, versions without gaps', async () => {
    const s = shipmentStream();
    const attempts: number[] = [];
    // load.mjs's hot writer: read the version, append expecting it, on 409 read again
    const writer = async (ops: number) => {
      let seen = 0;
      for (let op = 0; op < ops; op++) {
        for (let attempt = 1; ; attempt++) {
          const read = await api('GET', `/v1/streams/${s}/events?limit=1000&fromVersion=${seen + 1}`);
          if (read.status === 200) seen = read.body.version;
          const res = await append(s, seen, [ev()]);
          if (res.status === 201) {
            seen = res.body.toVersion;
            attempts.push(attempt);
            break;
          }
          expect(res.body).toMatchObject({ code: 'wrong_expected_version' });
          expect(res.body.currentVersion).toBeGreaterThan(seen);
          expect(attempt).toBeLessThan(50);
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, () => writer(5)));
    expect(attempts).toHaveLength(40);
    expect(await versions(s)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('learns the ids of events written before its object started, then answers from memory', async () => {
    const s = shipmentStream();
    const ids = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    for (const [i, id] of ids.entries()) {
      await sql(`insert into events (tenant_id, stream_id, version, event_id, event_type, schema_version, data, location, occurred_at)
                 values ('tenant-a', $1, $2, $3, 'ShipmentStatusRecorded', 1, '{"code":"RCS","pieces":3,"weightKg":120}', 'LIM', now())`, [s, i + 1, id]);
    }
    await sql(`insert into streams (tenant_id, stream_id, entity_type, version) values ('tenant-a', $1, 'shipment', 3)`, [s]);
    expect((await append(s, 3, [ev()])).body).toMatchObject({ toVersion: 4 });
    const tap = await tapStream(s);
    // the object knows only version 4's id: the first conflicts go to Postgres while it loads the rest
    await eventually(async () => {
      tap.clear();
      const lost = await append(s, 2, [ev()]);
      expect(lost.body).toMatchObject({ code: 'wrong_expected_version', currentVersion: 4 });
      return tap.commits() === 0;
    });
    // an event stored before the object started is still recognised: a 200 replay, not a 409
    const replay = await append(s, 0, [ev({ id: ids[0] })]);
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ fromVersion: 1, toVersion: 1 });
    expect(await versions(s)).toEqual([1, 2, 3, 4]);
  });

  it('answers wrong_expected_version for an id stored on another stream, and event_id_conflict once its version is right', async () => {
    const [a, b] = [shipmentStream(), shipmentStream()];
    const id = crypto.randomUUID();
    expect((await append(a, 'no_stream', [ev({ id })])).status).toBe(201);
    expect((await append(b, 'no_stream', [ev()])).status).toBe(201);
    // memory cannot see other streams; both answers are 409 and write nothing
    const stale = await append(b, 0, [ev({ id })]);
    expect(stale.body).toMatchObject({ code: 'wrong_expected_version', currentVersion: 1 });
    const right = await append(b, 1, [ev({ id })]);
    expect(right.body).toMatchObject({ code: 'event_id_conflict', eventIds: [id] });
    expect(await versions(b)).toEqual([1]);
  });
});
