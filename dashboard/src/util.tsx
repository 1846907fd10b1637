// Small shared pieces: the hash router, a fetch hook with loading/error states, formatting.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';
import type { LiveState } from './live';

// --- routing: #/view/arg?query ------------------------------------------------------------------
export type Route = { path: string[]; query: URLSearchParams };
export const parseHash = (hash: string): Route => {
  const h = hash.replace(/^#\/?/, '');
  const [p = '', q = ''] = h.split('?');
  return { path: p.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(q) };
};
export const href = (path: (string | number)[], query?: Record<string, string | undefined>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v) q.set(k, v);
  const s = q.toString();
  return `#/${path.map((p) => encodeURIComponent(String(p))).join('/')}${s ? `?${s}` : ''}`;
};
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

// --- data ---------------------------------------------------------------------------------------
export type Loaded<T> = { data: T | undefined; error: ApiError | undefined; loading: boolean; reload: () => void };
/** Loads on mount and whenever deps change; reload() refetches and keeps the current data shown meanwhile. */
export function useLoad<T>(load: (() => Promise<T>) | null, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: !!load });
  const seq = useRef(0);
  const run = useCallback(
    (keep: boolean) => {
      if (!load) return;
      const n = ++seq.current;
      setState((s) => ({ data: keep ? s.data : undefined, error: keep ? s.error : undefined, loading: true }));
      load().then(
        (data) => n === seq.current && setState({ data, loading: false }),
        (e) =>
          n === seq.current &&
          setState((s) => ({ data: keep ? s.data : undefined, loading: false, error: e instanceof ApiError ? e : new ApiError(0, 'error', String(e)) })),
      );
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    deps,
  );
  useEffect(() => run(false), [run]);
  return { ...state, loading: state.loading, reload: () => run(true) } as Loaded<T>;
}

// --- states -------------------------------------------------------------------------------------
export const Loading = ({ what }: { what: string }) => (
  <div class="state loading" role="status">
    <span class="spinner" aria-hidden="true" /> Loading {what}…
  </div>
);
export const Empty = ({ children }: { children: ComponentChildren }) => <div class="state empty">{children}</div>;
/** A table in its scrolling wrapper: `head` is the header row's cells, the children are the body's rows. */
export const Table = ({ head, children, class: cls, testid }: { head: ComponentChildren; children: ComponentChildren; class?: string; testid?: string }) => (
  <div class="table-wrap">
    <table class={cls ? `table ${cls}` : 'table'} data-testid={testid}>
      <thead>
        <tr>{head}</tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  </div>
);
export function ErrorBox({ error, retry, what }: { error: ApiError; retry?: () => void; what: string }) {
  const hint =
    error.status === 403
      ? 'Your token does not have the scope this needs.'
      : error.status === 404
        ? 'Nothing with that id (or it is not projected yet: the read models follow the writes by about a second).'
        : error.status === 0
          ? 'Check that npm start is running.'
          : error.status === 503
            ? 'The database or the token issuer is unreachable; try again in a moment.'
            : '';
  return (
    <div class={`state error ${error.status === 404 ? 'notfound' : ''}`} role="alert">
      <strong>{error.status === 404 ? `Not found: ${what}` : `Could not load ${what}`}</strong>
      <span class="err-detail">
        {error.detail} {error.status ? <code>{error.status} {error.code}</code> : null}
      </span>
      {hint && <span class="err-hint">{hint}</span>}
      {retry && error.status !== 404 && error.status !== 403 && (
        <button class="btn small" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}
const LIVE_TEXT: Record<LiveState, string> = { connecting: 'connecting…', live: 'live', reconnecting: 'reconnecting…', denied: 'live updates refused', off: 'not live' };
export const LiveBadge = ({ state, detail }: { state: LiveState; detail?: string }) => (
  <span class={`live live-${state}`} title={detail || undefined} data-live={state}>
    <span class="dot" aria-hidden="true" />
    {LIVE_TEXT[state]}
  </span>
);

// --- formatting ---------------------------------------------------------------------------------
/** Time zones of the stations the dashboard knows; others show UTC. */
export const STATION_TZ: Record<string, string> = {
  LIM: 'America/Lima', CUZ: 'America/Lima', AQP: 'America/Lima', SCL: 'America/Santiago', BOG: 'America/Bogota',
  MAD: 'Europe/Madrid', GRU: 'America/Sao_Paulo', EZE: 'America/Argentina/Buenos_Aires', MIA: 'America/New_York', UIO: 'America/Guayaquil',
};
export const tzOf = (station?: string | null) => (station && STATION_TZ[station]) || 'UTC';
export function fmtTime(iso: string | null | undefined, tz = 'UTC') {
  if (!iso) return '—';
  return new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: tz }).format(new Date(iso));
}
export function fmtDateTime(iso: string | null | undefined, tz?: string) {
  if (!iso) return '—';
  return new Intl.DateTimeFormat('en-GB', { day: '2-digit', month: 'short', hour: '2-digit', minute: '2-digit', timeZone: tz }).format(new Date(iso));
}
export const localDate = (d: Date, tz: string) => new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
export function ago(iso: string | null | undefined) {
  if (!iso) return '—';
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return `${Math.max(0, s)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}
export const fmtNum = (n: number | null | undefined, digits = 0) =>
  n === null || n === undefined ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
export const minutes = (a?: string, b?: string) => (a && b ? Math.round((Date.parse(b) - Date.parse(a)) / 60_000) : null);

export const statusClass = (s: string | null | undefined) => {
  const v = (s ?? '').toLowerCase();
  if (['delayed', 'mishandled', 'cancelled', 'diverted', 'dis', 'faulty', 'unserviceable'].includes(v)) return 'bad';
  if (['departed', 'arrived', 'dlv', 'dep', 'loaded', 'delivered', 'claimed'].includes(v)) return 'good';
  if (['boarding', 'checkinopen', 'man', 'pre', 'rcs', 'foh', 'rcf', 'nfd', 'arr'].includes(v)) return 'busy';
  return 'neutral';
};
export const Badge = ({ s }: { s: string | null | undefined }) => <span class={`badge ${statusClass(s)}`}>{s ?? '—'}</span>;
