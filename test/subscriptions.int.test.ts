// Live subscriptions end to end in workerd: appends go through the API, the queue and the projector to
// the tenant's hub, and come out of real WebSockets (the upgrade response's `webSocket`).
import { runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { SubscriptionHub } from '../src/subscriptions/hub';
import { api, eventually, ev, token } from './helpers/api';

type Msg = { type: string; cursor: number; version?: number; streamId?: string; entityId?: string; status?: any; event?: any };

/** A valid air waybill with the given 3-digit airline prefix. */
const awbOf = (prefix: string) => {
  const serial = 1_000_000 + Math.floor(Math.random() * 8_999_999);
  return `${prefix}-${serial}${serial % 7}`;
};

class Sub {
  messages: Msg[] = [];
  closed: { code: number; reason: string } | null = null;
  constructor(readonly ws: WebSocket) {
    ws.accept();
    ws.addEventListener('message', (e) => {
      this.messages.push(JSON.parse(e.data as string));
    });
    ws.addEventListener('close', (e) => {
      this.closed = { code: e.code, reason: e.reason };
    });
  }
  changes = () => this.messages.filter((m) => m.type === 'change');
  async until<T>(check: (s: Sub) => T | undefined | null | false, ms = 10_000): Promise<T> {
    return eventually(async () => check(this), ms);
  }
  ready = () => this.until((s) => s.messages.find((m) => m.type === 'ready'));
  close() {
    this.ws.close(1000, 'done');
  }
}

async function connect(query: string, tok: string | null, headers: Record<string, string> = {}): Promise<Sub> {
  const h: Record<string, string> = { upgrade: 'websocket', ...headers };
  if (tok) h.authorization = `Bearer ${tok}`;
  const res = await (exports as any).default.fetch(new Request(`http://api.test/v1/subscriptions/ws${query}`, { headers: h }));
  if (res.status !== 101) throw new Error(`upgrade refused: ${res.status} ${await res.text()}`);
  return new Sub(res.webSocket!);
}

const tenant = () => `subs-${crypto.randomUUID().slice(0, 8)}`;
const append = async (tok: string, streamId: string, code = 'RCS') => {
  const r = await api('POST', `/v1/streams/${streamId}/events`, { token: tok, body: { events: [ev({ data: { code, pieces: 3, weightKg: 120 } })] } });
  expect(r.status).toBe(201);
};
const projected = (tok: string, type: string, id: string, version: number) =>
  eventually(async () => (await api('GET', `/v1/entities/${type}/${id}`, { token: tok })).body?.version === version);

describe('live subscriptions over WebSocket', () => {
  it('a subscriber receives the appends made after it joined, in order, with the new status', async () => {
    const t = tenant();
    const [write, read] = await Promise.all([token({ tenant: t }), token({ tenant: t, scope: 'tracking:read' })]);
    const id = awbOf('045');
    await append(write, `shipment-${id}`); // before joining: not pushed
    await projected(read, 'shipment', id, 1);
    const sub = await connect(`?entity=shipment/${id}`, read);
    await sub.ready();
    for (const code of ['FOH', 'RCS', 'FOH']) await append(write, `shipment-${id}`, code);
    const got = await sub.until((s) => s.changes().length >= 3 && s.changes());
    expect(got.map((m) => m.version)).toEqual([2, 3, 4]);
    expect(got.map((m) => m.event.data.code)).toEqual(['FOH', 'RCS', 'FOH']);
    expect(got.map((m) => m.status.version)).toEqual([2, 3, 4]);
    expect(got[2]).toMatchObject({ streamId: `shipment-${id}`, entityType: 'shipment', entityId: id, status: { entityId: id, status: 'FOH' } });
    expect(got[0]!.cursor < got[1]!.cursor && got[1]!.cursor < got[2]!.cursor).toBe(true);
    sub.close();
  });

  it('a reconnect with its last cursor gets exactly the missed changes, then live ones', async () => {
    const t = tenant();
    const [write, read] = await Promise.all([token({ tenant: t }), token({ tenant: t, scope: 'tracking:read' })]);
    const id = awbOf('045');
    const stream = `shipment-${id}`;
    const first = await connect(`?type=shipment`, read);
    await first.ready();
    await append(write, stream);
    const [m1] = await first.until((s) => s.changes().length >= 1 && s.changes());
    first.close(); // a deploy drops sockets just like this
    await append(write, stream, 'FOH');
    await append(write, stream, 'RCS');
    await projected(read, 'shipment', id, 3);
    const again = await connect(`?type=shipment&cursor=${m1!.cursor}`, read);
    await again.ready();
    expect(again.changes().map((m) => m.version)).toEqual([2, 3]); // replayed before `ready`, nothing twice
    await append(write, stream, 'FOH');
    await again.until((s) => s.changes().length >= 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(again.changes().map((m) => m.version)).toEqual([2, 3, 4]);
    expect(new Set(again.changes().map((m) => m.cursor)).size).toBe(3);
    again.close();
  });

  it('a partner subscriber never receives another carrier’s changes', async () => {
    const t = tenant();
    const [write, staffRead, partner045, partnerAV] = await Promise.all([
      token({ tenant: t }), token({ tenant: t, scope: 'tracking:read' }),
      token({ tenant: t, scope: 'tracking:read', carriers: ['045'], subject: 'partner-045' }),
      token({ tenant: t, scope: 'tracking:read', carriers: ['AV'], subject: 'partner-av' }),
    ]);
    const staff = await connect('', staffRead);
    const p045 = await connect('', partner045);
    const pAV = await connect('?type=shipment', partnerAV);
    await Promise.all([staff.ready(), p045.ready(), pAV.ready()]);
    const mine = awbOf('045');
    const theirs = awbOf('074');
    await append(write, `shipment-${theirs}`);
    await append(write, `shipment-${mine}`);
    const eq = `TUG-${Math.floor(Math.random() * 1e6)}`;
    const tug = await api('POST', `/v1/streams/equipment-${eq}/events`, { token: write, body: { events: [{ type: 'EquipmentFaultReported', location: 'LIM', data: { fault: 'flat tyre' } }] } });
    await staff.until((s) => s.changes().length >= (tug.status === 201 ? 3 : 2));
    await p045.until((s) => s.changes().length >= 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(p045.changes().map((m) => m.entityId)).toEqual([mine]);
    expect(pAV.changes()).toEqual([]);
    // a partner resuming from the start gets the same view
    const replay = await connect('?cursor=0', partner045);
    await replay.ready();
    expect(replay.changes().map((m) => m.entityId)).toEqual([mine]);
    for (const s of [staff, p045, pAV, replay]) s.close();
  });

  it('takes the token in the first message, and closes on a bad one', async () => {
    const t = tenant();
    const [write, read] = await Promise.all([token({ tenant: t }), token({ tenant: t, scope: 'tracking:read' })]);
    const id = awbOf('045');
    const sub = await connect(`?tenant=${t}&entity=shipment/${id}`, null);
    sub.ws.send(JSON.stringify({ type: 'auth', token: read }));
    await sub.ready();
    await append(write, `shipment-${id}`);
    await sub.until((s) => s.changes().length === 1);
    sub.close();

    const bad = await connect(`?tenant=${t}`, null);
    bad.ws.send(JSON.stringify({ type: 'auth', token: 'not.a.jwt' }));
    expect((await bad.until((s) => s.closed)).code).toBe(4401);
    const other = await connect(`?tenant=${t}`, null);
    other.ws.send(JSON.stringify({ type: 'auth', token: await token({ tenant: 'someone-else', scope: 'tracking:read' }) }));
    expect((await other.until((s) => s.closed)).code).toBe(4403);
  });

  it('answers a cursor it cannot serve with a resync, never a silent gap', async () => {
    const t = tenant();
    const read = await token({ tenant: t, scope: 'tracking:read' });
    const sub = await connect('?cursor=999999', read);
    const [resync] = await sub.until((s) => s.messages.length >= 2 && s.messages);
    expect(resync).toMatchObject({ type: 'resync' });
    sub.close();
  });

  it('limits subscriptions per token subject', async () => {
    const t = tenant();
    const read = await token({ tenant: t, scope: 'tracking:read', subject: 'greedy' });
    const subs = [];
    for (let i = 0; i < 10; i++) subs.push(await connect('', read));
    const res = await (exports as any).default.fetch(new Request('http://api.test/v1/subscriptions/ws', { headers: { upgrade: 'websocket', authorization: `Bearer ${read}` } }));
    expect(res.status).toBe(429);
    expect((await res.json()).code).toBe('too_many_subscriptions');
    for (const s of subs) s.close();
  });

  it('serves a socket from its tag and attachment alone (what a hibernated hub has)', async () => {
    const t = tenant();
    const [write, read] = await Promise.all([token({ tenant: t }), token({ tenant: t, scope: 'tracking:read' })]);
    const id = awbOf('045');
    const sub = await connect(`?entity=shipment/${id}`, read);
    await sub.ready();
    await append(write, `shipment-${id}`);
    const [m1] = await sub.until((s) => s.changes().length >= 1 && s.changes());
    const stub = env.SUBSCRIPTION_HUB.get(env.SUBSCRIPTION_HUB.idFromName(t));
    // a brand-new instance on the same state: no memory of the socket but what the runtime keeps
    await runInDurableObject(stub, async (_live, state) => {
      expect(state.getWebSockets(`entity:shipment/${id}`)).toHaveLength(1);
      const fresh = new SubscriptionHub(state, env);
      const { type: _t, cursor: _c, ...change } = m1!;
      await fresh.publish([{ ...change, version: 99 } as never]);
    });
    const got = await sub.until((s) => s.changes().length >= 2 && s.changes());
    expect(got[1]).toMatchObject({ version: 99, entityId: id });
    sub.close();
  });
});
