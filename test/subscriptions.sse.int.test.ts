// Live subscriptions over Server-Sent Events in workerd: appends through the API, the queue and the
// projector reach an open SSE stream in order, and a reconnect with Last-Event-ID gets what it missed.
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { api, eventually, ev, token } from './helpers/api';

type Frame = { id: number | null; event: string; data: any };

/** Reads an SSE response's frames as they come, until closed. */
class SseReader {
  frames: Frame[] = [];
  private reader: ReadableStreamDefaultReader<Uint8Array>;
  constructor(res: Response) {
    this.reader = res.body!.getReader();
    void this.pump();
  }
  private async pump() {
    const dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const { done, value } = await this.reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) return;
      buf += dec.decode(value, { stream: true });
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const f: Frame = { id: null, event: 'message', data: null };
        for (const line of block.split('\n')) {
          if (line.startsWith('id:')) f.id = Number(line.slice(3).trim());
          else if (line.startsWith('event:')) f.event = line.slice(6).trim();
          else if (line.startsWith('data:')) f.data = JSON.parse(line.slice(5).trim());
        }
        if (f.data !== null) this.frames.push(f);
      }
    }
  }
  changes = () => this.frames.filter((f) => f.event === 'change');
  close = () => this.reader.cancel().catch(() => {});
}

async function open(query: string, tok: string, lastEventId?: number): Promise<SseReader> {
  const headers: Record<string, string> = { authorization: `Bearer ${tok}`, accept: 'text/event-stream' };
  if (lastEventId !== undefined) headers['last-event-id'] = String(lastEventId);
  const res = await (exports as any).default.fetch(new Request(`http://api.test/v1/subscriptions/sse${query}`, { headers }));
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  return new SseReader(res);
}

const awbOf = (prefix: string) => {
  const serial = 1_000_000 + Math.floor(Math.random() * 8_999_999);
  return `${prefix}-${serial}${serial % 7}`;
};
const append = async (tok: string, streamId: string, code: string) => {
  const r = await api('POST', `/v1/streams/${streamId}/events`, { token: tok, body: { events: [ev({ data: { code, pieces: 3, weightKg: 120 } })] } });
  expect(r.status).toBe(201);
};

describe('live subscriptions over SSE', () => {
  it('streams the changes after it opened in order, and resumes after the last event id', async () => {
    const t = `sse-${crypto.randomUUID().slice(0, 8)}`;
    const [write, read] = await Promise.all([token({ tenant: t }), token({ tenant: t, scope: 'tracking:read' })]);
    const id = awbOf('045');
    const stream = `shipment-${id}`;
    const first = await open(`?entity=shipment/${id}`, read);
    await eventually(async () => first.frames.some((f) => f.event === 'ready'));
    for (const code of ['RCS', 'FOH', 'PRE']) await append(write, stream, code);
    await eventually(async () => first.changes().length === 3);
    const seen = first.changes();
    expect(seen.map((f) => f.data.version)).toEqual([1, 2, 3]);
    expect(seen.map((f) => f.data.status.status)).toEqual(['RCS', 'FOH', 'PRE']);
    expect(seen.every((f, i) => f.id === f.data.cursor && (i === 0 || f.id! > seen[i - 1]!.id!))).toBe(true);
    first.close();

    // gone for two changes; back with the id of the last one it saw
    await append(write, stream, 'MAN');
    await append(write, stream, 'DEP');
    await eventually(async () => (await api('GET', `/v1/entities/shipment/${id}`, { token: read })).body?.version === 5);
    const again = await open(`?entity=shipment/${id}`, read, seen[2]!.id!);
    await eventually(async () => again.frames.some((f) => f.event === 'ready'));
    expect(again.changes().map((f) => f.data.version)).toEqual([4, 5]); // exactly what it missed, once
    await append(write, stream, 'RCF');
    await eventually(async () => again.changes().length === 3);
    expect(again.changes().map((f) => f.data.version)).toEqual([4, 5, 6]);
    again.close();
  });

  it('never streams another carrier\'s entity to a partner', async () => {
    const t = `sse-${crypto.randomUUID().slice(0, 8)}`;
    const [write, partner] = await Promise.all([token({ tenant: t }), token({ tenant: t, scope: 'tracking:read', carriers: ['045'] })]);
    const sub = await open('?type=shipment', partner);
    await eventually(async () => sub.frames.some((f) => f.event === 'ready'));
    const other = awbOf('074');
    const own = awbOf('045');
    await append(write, `shipment-${other}`, 'RCS');
    await append(write, `shipment-${own}`, 'RCS');
    await eventually(async () => sub.changes().length >= 1);
    await new Promise((r) => setTimeout(r, 500)); // room for a wrong one to arrive
    expect(sub.changes().map((f) => f.data.entityId)).toEqual([own]);
    sub.close();
  });
});
