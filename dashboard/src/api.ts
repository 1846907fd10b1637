// Same-origin calls to the API with the session's bearer token. Errors are the API's
// application/problem+json answers, kept whole so a view can say what went wrong.
import { loadSession } from './auth';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(detail);
  }
}

/** Listeners told when the API refuses the token (401): the app goes back to sign-in. */
const unauthorized = new Set<(e: ApiError) => void>();
export const onUnauthorized = (fn: (e: ApiError) => void) => {
  unauthorized.add(fn);
  return () => unauthorized.delete(fn);
};

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const s = loadSession();
  const headers = new Headers(init.headers);
  if (s) headers.set('authorization', `Bearer ${s.token}`);
  headers.set('accept', 'application/json');
  if (init.body) headers.set('content-type', 'application/json');
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers });
  } catch (e) {
    throw new ApiError(0, 'network', `The API could not be reached (${e instanceof Error ? e.message : String(e)}).`);
  }
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  if (!res.ok) {
    const p = (body ?? {}) as { code?: string; detail?: string; title?: string };
    const err = new ApiError(res.status, p.code ?? `http_${res.status}`, p.detail ?? p.title ?? (text.slice(0, 200) || res.statusText));
    if (res.status === 401) for (const fn of unauthorized) fn(err);
    throw err;
  }
  return body as T;
}

export const qs = (params: Record<string, string | number | undefined | null>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
};

// --- the read models' shapes (what the dashboard uses of them) ---------------------------------
export type EntityType = 'flight' | 'shipment' | 'baggage' | 'uld' | 'equipment';
export type FlightDetails = {
  origin?: string;
  destination?: string;
  scheduledDeparture?: string;
  scheduledArrival?: string;
  delayMinutes?: number;
  reason?: string;
  milestones?: Record<string, string>;
  lastMilestone?: string;
};
export type Status = {
  entityType: EntityType;
  entityId: string;
  streamId: string;
  status: string | null;
  location: string | null;
  airport: string | null;
  flight: string | null;
  uld: string | null;
  pieces: number | null;
  weightKg: number | null;
  carriers: string[];
  details: Record<string, unknown> | null;
  lastEvent: { type: string; occurredAt: string } | null;
  updatedAt: string;
  version: number;
};
export type Page<T> = { items: T[]; next?: string | null };
export type TimelineItem = {
  version: number;
  type: string;
  occurredAt: string;
  localTime: string | null;
  recordedAt: string;
  location: string | null;
  actor: string | null;
  source: string | null;
  description: string;
};
export type ManifestItem = { id: string; status: string | null; pieces: number | null; weightKg: number | null; location: string | null };
export type Manifest = {
  flightId: string;
  flight: (FlightDetails & { status?: string | null }) | null;
  ulds: (ManifestItem & { shipments: ManifestItem[]; bags: ManifestItem[] })[];
  loose: { shipments: ManifestItem[]; bags: ManifestItem[] };
  totals: { ulds: number; shipments: number; bags: number; pieces: number; weightKg: number };
};
export type MetricBucket = { start: string; count: number; min?: number | null; max?: number | null; p50?: number | null; p95?: number | null; accepted?: number; value?: number | null };
export type Metric = { metric: string; unit: string; location: string | null; from: string; to: string; bucket: 'hour' | 'day'; buckets: MetricBucket[] };
export type Projection = {
  name: string;
  generation: number;
  state: 'live' | 'rebuilding';
  lastAppliedAt: string | null;
  lag: { events: number; streams: number; seconds: number };
  backlog: { outboxCommits: number; oldestSeconds: number };
  deadLetters: number;
  oldestOpenTransactionSeconds: number;
  rebuild: { generation: number; events: number; totalEvents: number; progress: number; startedAt?: string } | null;
  lastRebuild: { generation: number; events: number; finishedAt?: string; seconds?: number; startedAt?: string } | null;
};
export type DeadLetter = {
  id: number;
  queue: string;
  body: { tenantId?: string; streamId?: string; fromVersion?: number; toVersion?: number } | unknown;
  attempts: number;
  tenantId: string | null;
  receivedAt: string;
  replayedAt: string | null;
  replays?: number;
};
