// One WebSocket per view on GET /v1/subscriptions/ws, with that view's filters. The browser cannot
// set an Authorization header on a WebSocket, so the socket names the tenant in the query and sends
// the token in its first message. The last cursor is kept: a dropped socket reconnects (exponential
// backoff with jitter, 0.5 s … 30 s) with ?cursor=, and the hub replays what was missed; a `resync`
// (the cursor is too old for the hub) makes the view refetch over HTTP.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Status } from './api';
import { loadSession } from './auth';

export type Change = {
  type: 'change';
  cursor: number;
  streamId: string;
  entityType: string;
  entityId: string;
  version: number;
  event: { type: string; occurredAt: string; recordedAt: string; location: string | null; data: Record<string, unknown> };
  status: Status;
};
export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'denied' | 'off';

type Handlers = { onChange?: (c: Change) => void; onResync?: () => void };

export function useLive(filters: Record<string, string> | null, handlers: Handlers): { state: LiveState; detail: string } {
  const [state, setState] = useState<{ state: LiveState; detail: string }>({ state: filters ? 'connecting' : 'off', detail: '' });
  const h = useRef(handlers);
  h.current = handlers;
  const key = filters ? new URLSearchParams(filters).toString() : null;

  useEffect(() => {
    if (key === null) {
      setState({ state: 'off', detail: '' });
      return;
    }
    let ws: WebSocket | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let ping: ReturnType<typeof setInterval> | undefined;
    let attempt = 0;
    let cursor: number | undefined;
    let disposed = false;

    const connect = () => {
      const s = loadSession();
      if (!s || disposed) return;
      const q = new URLSearchParams(key);
      q.set('tenant', s.tenant);
      if (cursor !== undefined) q.set('cursor', String(cursor));
      const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/v1/subscriptions/ws?${q}`;
      setState({ state: attempt ? 'reconnecting' : 'connecting', detail: '' });
      const sock = new WebSocket(url);
      ws = sock;
      sock.onopen = () => sock.send(JSON.stringify({ type: 'auth', token: s.token }));
      sock.onmessage = (m) => {
        let msg: { type?: string; cursor?: number };
        try {
          msg = JSON.parse(String(m.data));
        } catch {
          return;
        }
        if (typeof msg.cursor === 'number') cursor = msg.cursor;
        if (msg.type === 'change') h.current.onChange?.(msg as Change);
        else if (msg.type === 'resync') h.current.onResync?.();
        else if (msg.type === 'ready') {
          attempt = 0;
          setState({ state: 'live', detail: '' });
        }
      };
      sock.onclose = (e) => {
        if (ping) clearInterval(ping);
        if (disposed || ws !== sock) return;
        if (e.code === 4401 || e.code === 4403) {
          setState({ state: 'denied', detail: e.reason || 'the subscription refused the token' });
          return;
        }
        const delay = Math.min(30_000, 500 * 2 ** attempt) * (0.75 + Math.random() * 0.5);
        attempt++;
        setState({ state: 'reconnecting', detail: e.reason || `closed (${e.code})` });
        timer = setTimeout(connect, delay);
      };
      // keeps idle proxies from dropping the socket; the hub answers {"type":"pong"}
      ping = setInterval(() => sock.readyState === WebSocket.OPEN && sock.send('{"type":"ping"}'), 30_000);
    };
    connect();
    return () => {
      disposed = true;
      if (timer) clearTimeout(timer);
      if (ping) clearInterval(ping);
      ws?.close(1000, 'view closed');
    };
  }, [key]);
  return state;
}

/** Runs fn at most once per `ms`, trailing: many changes in a burst make one refetch. */
export function useThrottled(fn: () => void, ms: number): () => void {
  const f = useRef(fn);
  f.current = fn;
  const t = useRef<{ timer?: ReturnType<typeof setTimeout>; last: number }>({ last: 0 });
  useEffect(() => () => clearTimeout(t.current.timer), []);
  return () => {
    if (t.current.timer) return;
    const wait = Math.max(0, t.current.last + ms - Date.now());
    t.current.timer = setTimeout(() => {
      t.current.timer = undefined;
      t.current.last = Date.now();
      f.current();
    }, Math.max(wait, 150));
  };
}
