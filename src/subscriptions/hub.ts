// One SubscriptionHub per tenant fans out the projector's changes to live subscribers: WebSockets with
// the hibernation API (the object may leave memory between changes; each socket's tag and attachment
// hold all it needs), and SSE streams, which live in memory only. Fed by the projector after its
// transactions commit (publish), never by the write path.
import { DurableObject } from 'cloudflare:workers';
import { verifyToken } from '../http/auth';
import { ApiError, clip, problemBody } from '../http/problem';
import { ChangeBuffer, type Stored } from './buffer';
import { type Change, type Filters, LIMITS, matches, tagOf, tagsOfChange, visibleTo } from './filters';
import { reportSubscribers, tracePush } from './telemetry';

/** What the Worker hands the hub for a new subscription (after checking what it can). */
export type SubscribeSpec = {
  mode: 'ws' | 'sse';
  tenantId: string;
  filters: Filters;
  cursor: number | null;
  requestId: string;
  /** null: a WebSocket whose token comes in its first message */
  principal: { subject: string; carriers: string[] | null; exp: number } | null;
};

/** Survives hibernation with the socket (≤ 16 KB). `after`: the last sequence it was sent or skipped. */
type Att = { tenant: string; f: Filters; state: 'pending' | 'live'; after: number; subject: string | null; carriers: string[] | null; exp: number; deadline: number };
type Sse = { writer: WritableStreamDefaultWriter<Uint8Array>; f: Filters; carriers: string[] | null; subject: string; exp: number; after: number };

const enc = new TextEncoder();
const TRIM_EVERY_MS = 5_000;
const changeMessage = (seq: number, c: Change) => JSON.stringify({ type: 'change', cursor: seq, ...c });
const resyncMessage = (seq: number) =>
  JSON.stringify({ type: 'resync', cursor: seq, detail: 'changes before this cursor are no longer (or were never) available here: refetch the state over HTTP, then carry on from this cursor' });

export class SubscriptionHub extends DurableObject<Env> {
  private buffer = new ChangeBuffer(this.ctx.storage.sql);
  private sse = new Map<number, Sse>();
  private sseIds = 0;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private skewS = Number(this.env.AUTH_CLOCK_SKEW_S || 300);

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // answered by the runtime without waking the object
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('{"type":"ping"}', '{"type":"pong"}'));
  }

  private expired = (exp: number) => Date.now() / 1000 > exp + this.skewS;

  // Attachments as this instance last saw or wrote them: a fan-out reads one per socket per change,
  // and deserializing each time was most of its cost. After hibernation the cache starts empty.
  private atts = new WeakMap<WebSocket, Att | null>();
  private trimmedAt = 0;
  private att(ws: WebSocket): Att | null {
    if (!this.atts.has(ws)) this.atts.set(ws, ws.deserializeAttachment() as Att | null);
    return this.atts.get(ws)!;
  }
  private setAtt(ws: WebSocket, att: Att) {
    ws.serializeAttachment(att);
    this.atts.set(ws, att);
  }

  private countOf(subject: string): number {
    let n = 0;
    for (const ws of this.ctx.getWebSockets()) if (this.att(ws)?.subject === subject) n++;
    for (const s of this.sse.values()) if (s.subject === subject) n++;
    return n;
  }

  private limitProblem(subject: string | null): ApiError | null {
    if (this.ctx.getWebSockets().length + this.sse.size >= LIMITS.perHub) {
      return new ApiError(503, 'subscriptions_full', `this tenant has ${LIMITS.perHub} open subscriptions, the most one hub serves; retry later`, {}, { 'retry-after': '30' });
    }
    if (subject !== null && this.countOf(subject) >= LIMITS.perSubject) {
      return new ApiError(429, 'too_many_subscriptions', `this token's subject has ${LIMITS.perSubject} open subscriptions already; close one first`, {}, { 'retry-after': '10' });
    }
    return null;
  }

  async fetch(request: Request): Promise<Response> {
    const spec = JSON.parse(request.headers.get('x-subscription')!) as SubscribeSpec;
    const refused = this.limitProblem(spec.principal?.subject ?? null);
    if (refused) {
      return new Response(JSON.stringify(problemBody(refused.status, refused.code, refused.message, spec.requestId)), {
        status: refused.status, headers: { 'content-type': 'application/problem+json', ...refused.headers },
      });
    }
    this.tenant = spec.tenantId;
    const res = spec.mode === 'ws' ? this.openSocket(spec) : this.openSse(spec);
    this.reportCount();
    return res;
  }

  private tenant: string | null = null;

  /** Open subscriptions, for /metrics (the latest report stands until the next). */
  private reportCount() {
    if (!this.tenant) return;
    let open = this.sse.size;
    for (const ws of this.ctx.getWebSockets()) if (ws.readyState === WebSocket.OPEN) open++;
    if (open === this.reported) return;
    this.reported = open;
    reportSubscribers(this.env, this.tenant, open);
  }

  /** The count last reported; null after a reset, whose lost sockets no close event reports. */
  private reported: number | null = null;

  private openSocket(spec: SubscribeSpec): Response {
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [tagOf(spec.filters)]);
    const p = spec.principal;
    const att: Att = {
      tenant: spec.tenantId, f: spec.filters, state: 'pending', after: spec.cursor ?? this.buffer.last(), subject: p?.subject ?? null,
      carriers: p?.carriers ?? null, exp: p?.exp ?? 0, deadline: Date.now() + LIMITS.authTimeoutMs,
    };
    if (p) this.goLive(server, att);
    else {
      this.setAtt(server, att);
      this.armAlarm(att.deadline);
    }
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Replays what the socket missed, then marks it live: synchronous, so no publish slips in between. */
  private goLive(ws: WebSocket, att: Att) {
    att.state = 'live';
    att.after = this.replay(att.after, att.f, att.carriers, (m) => ws.send(m));
    this.setAtt(ws, att);
    ws.send(JSON.stringify({ type: 'ready', cursor: att.after }));
    this.armAlarm(att.exp * 1000 + this.skewS * 1000);
  }

  /** Sends the buffered changes after `cursor` that the subscriber may see; returns the cursor reached. */
  private replay(cursor: number, f: Filters, carriers: string[] | null, send: (m: string) => void): number {
    const stored: Stored[] | 'resync' = this.buffer.since(cursor);
    const last = this.buffer.last();
    if (stored === 'resync') {
      send(resyncMessage(last));
      return last;
    }
    for (const s of stored) {
      if (!s.change) send(resyncMessage(s.seq));
      else if (matches(f, s.change) && visibleTo(carriers, s.change)) send(changeMessage(s.seq, s.change));
    }
    return last;
  }

  async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const att = this.att(ws)!;
    if (att.state === 'live') return; // nothing to say but ping (auto-answered)
    let msg: { type?: unknown; token?: unknown; cursor?: unknown };
    try {
      msg = JSON.parse(typeof message === 'string' ? message : new TextDecoder().decode(message));
    } catch {
      msg = {};
    }
    if (msg?.type !== 'auth' || typeof msg.token !== 'string') return ws.close(4400, 'the first message must be {"type":"auth","token":"…"}');
    let verified: Awaited<ReturnType<typeof verifyToken>>;
    try {
      verified = await verifyToken(this.env, msg.token);
    } catch (e) {
      const status = e instanceof ApiError ? e.status : 500;
      return ws.close(status === 401 ? 4401 : 4503, clip(e instanceof Error ? e.message : 'the token could not be checked', 100));
    }
    const { principal, exp } = verified;
    if (principal.tenantId !== att.tenant) return ws.close(4403, "the token's tenant is not the tenant parameter");
    if (!principal.scopes.has('tracking:read')) return ws.close(4403, 'this needs the tracking:read scope');
    if (this.countOf(principal.subject) >= LIMITS.perSubject) return ws.close(4429, `at most ${LIMITS.perSubject} subscriptions per token subject`);
    const cursor = Number.isSafeInteger(msg.cursor) && (msg.cursor as number) >= 0 ? (msg.cursor as number) : att.after;
    this.goLive(ws, { ...att, after: cursor, subject: principal.subject, carriers: principal.carriers, exp });
  }

  // the runtime answers the Close frame itself
  async webSocketClose(ws: WebSocket): Promise<void> {
    this.tenant ??= this.att(ws)?.tenant ?? null;
    this.reportCount();
  }

  async webSocketError(ws: WebSocket): Promise<void> {
    return this.webSocketClose(ws);
  }

  /** Takes the changes of one committed projector batch, in order. Dedupes by (streamId, version). */
  async publish(changes: Change[], opts: { gap?: boolean; traces?: string[]; tenant?: string } = {}): Promise<{ stored: number }> {
    const startMs = Date.now();
    this.tenant ??= opts.tenant ?? null;
    if (this.reported === null) this.reportCount(); // after a reset the count changed without a close event; opens and closes report the rest
    let stored = 0;
    if (opts.gap) this.fanOut(this.buffer.addResync(), null);
    for (const c of changes) {
      const seq = this.buffer.add(c);
      if (seq === null) continue;
      stored++;
      this.fanOut(seq, c);
    }
    // trimming scans the buffer by age: a few times a minute is enough (the limits are not exact)
    if (Date.now() - this.trimmedAt > TRIM_EVERY_MS) {
      this.trimmedAt = Date.now();
      this.buffer.trim();
    }
    tracePush(this.env, opts.traces ?? [], startMs, changes.length, this.sse.size + this.ctx.getWebSockets().length);
    return { stored };
  }

  /** Sends one change (null: a resync marker) to every live subscriber it matches. Never waits on one. */
  private fanOut(seq: number, c: Change | null) {
    const sockets = new Set(c ? tagsOfChange(c).flatMap((t) => this.ctx.getWebSockets(t)) : this.ctx.getWebSockets());
    const message = c ? changeMessage(seq, c) : resyncMessage(seq);
    for (const ws of sockets) {
      const att = this.att(ws);
      if (!att || att.state !== 'live' || att.after >= seq) continue;
      if (this.expired(att.exp)) {
        this.close(ws, 4401, 'the token has expired');
        continue;
      }
      if (c && !(matches(att.f, c) && visibleTo(att.carriers, c))) continue;
      try {
        ws.send(message); // buffered by the runtime: a slow client does not hold the others up
      } catch {
        this.close(ws, 1011, 'send failed');
      }
    }
    for (const [id, s] of this.sse) {
      if (s.after >= seq) continue;
      if (this.expired(s.exp)) {
        this.dropSse(id, 'event: close\ndata: {"type":"close","detail":"the token has expired"}\n\n');
        continue;
      }
      if (c && !(matches(s.f, c) && visibleTo(s.carriers, c))) continue;
      // a writer whose queue is full is a slow or gone client: dropped, it resumes with Last-Event-ID
      if ((s.writer.desiredSize ?? 0) <= 0) this.dropSse(id);
      else this.writeSse(id, sseFrame(seq, c));
    }
  }

  private close(ws: WebSocket, code: number, reason: string) {
    try {
      ws.close(code, reason);
    } catch {}
  }

  private armAlarm(at: number) {
    const current = this.ctx.storage.getAlarm();
    void current.then((t) => (t === null || t > at ? this.ctx.storage.setAlarm(at) : undefined));
  }

  /** Closes sockets that never authenticated, or whose token expired; re-arms for the next one. */
  async alarm(): Promise<void> {
    let next = Infinity;
    const now = Date.now();
    for (const ws of this.ctx.getWebSockets()) {
      const att = this.att(ws);
      if (!att) continue;
      if (att.state === 'pending') {
        if (att.deadline <= now) this.close(ws, 4408, 'no {"type":"auth"} message in time');
        else next = Math.min(next, att.deadline);
      } else if (this.expired(att.exp)) this.close(ws, 4401, 'the token has expired');
      else next = Math.min(next, (att.exp + this.skewS) * 1000);
    }
    if (next !== Infinity) await this.ctx.storage.setAlarm(next + 50);
  }

  private openSse(spec: SubscribeSpec): Response {
    const p = spec.principal!;
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>(undefined, { highWaterMark: LIMITS.bufferChanges + 100 });
    const id = ++this.sseIds;
    const s: Sse = { writer: writable.getWriter(), f: spec.filters, carriers: p.carriers, subject: p.subject, exp: p.exp, after: 0 };
    this.sse.set(id, s);
    this.writeSse(id, 'retry: 2000\n\n');
    s.after = this.replay(spec.cursor ?? this.buffer.last(), s.f, s.carriers, (m) => this.writeSse(id, sseFromMessage(m)));
    this.writeSse(id, `event: ready\ndata: ${JSON.stringify({ type: 'ready', cursor: s.after })}\n\n`);
    this.heartbeat ??= setInterval(() => {
      for (const sid of this.sse.keys()) this.writeSse(sid, ': heartbeat\n\n');
    }, LIMITS.heartbeatMs);
    return new Response(readable, { headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-store' } });
  }

  private writeSse(id: number, text: string) {
    const s = this.sse.get(id);
    if (s) s.writer.write(enc.encode(text)).catch(() => this.dropSse(id)); // never awaited: a gone client just errors
  }

  private dropSse(id: number, last?: string) {
    const s = this.sse.get(id);
    if (!s) return;
    this.sse.delete(id);
    if (last) s.writer.write(enc.encode(last)).catch(() => {});
    s.writer.close().catch(() => {});
    this.reportCount();
    if (!this.sse.size && this.heartbeat) {
      clearInterval(this.heartbeat);
      this.heartbeat = null;
    }
  }
}

function sseFrame(seq: number, c: Change | null): string {
  return c ? `id: ${seq}\nevent: change\ndata: ${changeMessage(seq, c)}\n\n` : `id: ${seq}\nevent: resync\ndata: ${resyncMessage(seq)}\n\n`;
}
const sseFromMessage = (m: string) => {
  const { type, cursor } = JSON.parse(m) as { type: string; cursor: number };
  return `id: ${cursor}\nevent: ${type}\ndata: ${m}\n\n`;
};
