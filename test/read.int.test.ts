import { abortAllDurableObjects } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { api, ev, shipmentStream } from './helpers/api';

async function streamWith(n: number) {
  const s = shipmentStream();
  for (let done = 0; done < n; done += 100) {
    const size = Math.min(100, n - done);
    const res = await api('POST', `/v1/streams/${s}/events`, { body: { events: Array.from({ length: size }, (_, i) => ev({ data: { code: 'FOH', pieces: done + i + 1, weightKg: 1 } })) } });
    expect(res.status).toBe(201);
  }
  return s;
}

describe('read', () => {
  it('pages forward with next links until the end', async () => {
    const s = await streamWith(25);
    const seen: number[] = [];
    let url: string | null = `/v1/streams/${s}/events?limit=10`;
    let pages = 0;
    while (url) {
      const res = await api('GET', url);
      expect(res.status).toBe(200);
      expect(res.body.version).toBe(25);
      seen.push(...res.body.events.map((e: any) => e.version));
      url = res.body.next;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });

  it('pages backward from the newest event', async () => {
    const s = await streamWith(12);
    const first = await api('GET', `/v1/streams/${s}/events?direction=backward&limit=5`);
    expect(first.body.events.map((e: any) => e.version)).toEqual([12, 11, 10, 9, 8]);
    const second = await api('GET', first.body.next);
    expect(second.body.events.map((e: any) => e.version)).toEqual([7, 6, 5, 4, 3]);
    const third = await api('GET', second.body.next);
    expect(third.body.events.map((e: any) => e.version)).toEqual([2, 1]);
    expect(third.body.next).toBeNull();
    const from = await api('GET', `/v1/streams/${s}/events?direction=backward&fromVersion=4&limit=2`);
    expect(from.body.events.map((e: any) => e.version)).toEqual([4, 3]);
  });

  it('caps a page at 1000 events', async () => {
    const s = await streamWith(1001);
    const res = await api('GET', `/v1/streams/${s}/events?limit=1000`);
    expect(res.body.events).toHaveLength(1000);
    expect(res.body.next).toContain('fromVersion=1001');
    expect((await api('GET', `/v1/streams/${s}/events?limit=1001`)).status).toBe(400);
  });

  it('sends an ETag and answers 304 while the stream has not moved', async () => {
    const s = await streamWith(3);
    const res = await api('GET', `/v1/streams/${s}/events`);
    expect(res.headers.get('etag')).toBe('"3"');
    const same = await api('GET', `/v1/streams/${s}/events`, { headers: { 'if-none-match': '"3"' } });
    expect(same.status).toBe(304);
    expect(same.text).toBe('');
    await api('POST', `/v1/streams/${s}/events`, { body: { events: [ev()] } });
    const moved = await api('GET', `/v1/streams/${s}/events`, { headers: { 'if-none-match': '"3"' } });
    expect(moved.status).toBe(200);
    expect(moved.headers.get('etag')).toBe('"4"');
  });

  it('answers from the object\'s memory exactly what Postgres answers', async () => {
    const s = await streamWith(30);
    await api('POST', `/v1/streams/${s}/events`, { body: { events: [ev({ data: { code: 'DIS', pieces: 1, weightKg: 2.5, discrepancy: 'DMCA', uld: 'AKE12345LA' }, metadata: { note: 'ünïcode "quoted"', n: [1, 2.0, 1e3] } })] } });
    const queries = ['', '?fromVersion=28', '?fromVersion=31', '?fromVersion=40', '?direction=backward&limit=5', '?direction=backward&fromVersion=3&limit=10', '?limit=7&fromVersion=2'];
    const fromMemory = [];
    for (const q of queries) fromMemory.push((await api('GET', `/v1/streams/${s}/events${q}`)).text);
    await abortAllDurableObjects(); // a fresh object has nothing in memory: every read goes to Postgres
    for (const [i, q] of queries.entries()) expect((await api('GET', `/v1/streams/${s}/events${q}`)).text, q).toBe(fromMemory[i]);
  });

  it('returns an empty page past the end', async () => {
    const s = await streamWith(2);
    const res = await api('GET', `/v1/streams/${s}/events?fromVersion=5`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ version: 2, events: [], next: null });
  });

  it('answers 404 for an unknown stream, on events and on info', async () => {
    const s = shipmentStream();
    const events = await api('GET', `/v1/streams/${s}/events`);
    expect(events.status).toBe(404);
    expect(events.headers.get('content-type')).toBe('application/problem+json');
    expect(events.body).toMatchObject({ status: 404, code: 'stream_not_found' });
    expect((await api('GET', `/v1/streams/${s}`)).status).toBe(404);
  });

  it('describes a stream', async () => {
    const s = await streamWith(4);
    const res = await api('GET', `/v1/streams/${s}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ streamId: s, entityType: 'shipment', version: 4 });
    expect(Date.parse(res.body.createdAt)).toBeLessThanOrEqual(Date.parse(res.body.updatedAt));
  });
});
