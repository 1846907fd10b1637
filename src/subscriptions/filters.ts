// Pure logic of live subscriptions: the filters a client asks for, the change a hub fans out, which
// hibernation tags a change reaches, and what a partner may see. No I/O: unit-tested in Node.
import { z } from 'zod';
import { locationSchema } from '../domain/airports';
import { ENTITY_TYPES, type EntityType } from '../domain/identifiers';
import { flightIdSchema } from '../domain/ids';
import { ownCarrier } from '../projections/carriers';
import type { StatusRow } from '../projections/status/fold';
import type { ProjectionEvent } from '../projections/types';

/** The limits of live subscriptions, in one place (README "Live subscriptions" and the OpenAPI cite them). */
export const LIMITS = {
  /** open subscriptions (WebSocket + SSE) per token subject and tenant */
  perSubject: 10,
  /** open subscriptions per hub (one hub per tenant); the runtime allows 32,768 hibernatable sockets */
  perHub: 5_000,
  /** changes kept for resuming: the newest this many … */
  bufferChanges: 10_000,
  /** … and none older than this */
  bufferMs: 60 * 60_000,
  /** a socket without an Authorization header must send {"type":"auth","token":…} within this */
  authTimeoutMs: 10_000,
  /** SSE heartbeat comment interval (proxies close quiet connections) */
  heartbeatMs: 25_000,
} as const;

/** What a subscriber filters on. All given filters must match (an empty filter: every visible change). */
export const filterSchema = z.strictObject({
  entity: z.string().max(80).regex(/^(flight|shipment|baggage|uld|equipment)\/[A-Za-z0-9-]{1,40}$/, 'entity is {type}/{id}, e.g. shipment/045-12345675').optional()
    .meta({ description: 'one entity: {entityType}/{entityId}' }),
  flight: flightIdSchema.optional().meta({ description: 'changes of the flight and of what is linked to it' }),
  location: locationSchema.optional().meta({ description: 'an airport (LIM) or a place and everything under it (LIM/WH2)' }),
  type: z.enum(ENTITY_TYPES).optional().meta({ description: 'one entity type' }),
});
export type Filters = z.infer<typeof filterSchema>;

export const subscribeQuerySchema = filterSchema.extend({
  cursor: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional().meta({ description: 'the `cursor` of the last message received: resume after it' }),
  tenant: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/).optional().meta({ description: "WebSocket without an Authorization header only: the tenant, which the first message's token must name" }),
});
export const sseQuerySchema = subscribeQuerySchema.omit({ tenant: true });

/** One applied event as subscribers get it: the event and the entity's status right after it. */
export type Change = {
  streamId: string;
  entityType: EntityType;
  entityId: string;
  version: number;
  position: number;
  event: { type: string; occurredAt: string; recordedAt: string; location: string | null; data: Record<string, unknown> };
  /** the status read model's row after this event, as GET /v1/entities/{type}/{id} answers it */
  status: ReturnType<typeof statusOf>;
};

export const statusOf = (streamId: string, r: StatusRow) => ({
  entityType: r.entityType, entityId: r.entityId, streamId, status: r.status, location: r.location, airport: r.airport,
  flight: r.flight, uld: r.uld, pieces: r.pieces, weightKg: r.weightKg, carriers: r.carriers, details: r.details,
  lastEvent: { type: r.lastEventType, occurredAt: r.lastEventAt }, updatedAt: r.updatedAt, version: r.version,
});

export function changeOf(e: ProjectionEvent, row: StatusRow): Change {
  return {
    streamId: e.streamId, entityType: e.entityType, entityId: e.entityId, version: e.version, position: e.position,
    event: { type: e.type, occurredAt: e.occurredAt, recordedAt: e.recordedAt, location: e.location, data: e.data },
    status: statusOf(e.streamId, row),
  };
}

/** LIM/WH2/B-14 -> LIM, LIM/WH2, LIM/WH2/B-14 */
const prefixes = (loc: string) => loc.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));

const flightsOf = (c: Change) => {
  const out = new Set<string>();
  if (c.entityType === 'flight') out.add(c.entityId);
  if (c.status.flight) out.add(c.status.flight);
  for (const k of ['flight', 'flightId']) if (typeof c.event.data[k] === 'string') out.add(c.event.data[k] as string);
  return out;
};
const locationsOf = (c: Change) => new Set([c.status.location, c.event.location].filter((l): l is string => !!l).flatMap(prefixes));

/**
 * The one hibernation tag a subscription is filed under: its most selective filter. The other filters
 * are checked with `matches` when sending, so a socket needs a single tag (the runtime allows 10).
 */
export function tagOf(f: Filters): string {
  if (f.entity) return `entity:${f.entity}`;
  if (f.flight) return `flight:${f.flight}`;
  if (f.location) return `location:${f.location}`;
  if (f.type) return `type:${f.type}`;
  return 'all';
}

/** Every tag a change reaches: the sockets to look at are those of these tags (then `matches`). */
export function tagsOfChange(c: Change): string[] {
  return [
    'all', `type:${c.entityType}`, `entity:${c.entityType}/${c.entityId}`,
    ...[...flightsOf(c)].map((f) => `flight:${f}`), ...[...locationsOf(c)].map((l) => `location:${l}`),
  ];
}

export function matches(f: Filters, c: Change): boolean {
  if (f.entity && f.entity !== `${c.entityType}/${c.entityId}`) return false;
  if (f.type && f.type !== c.entityType) return false;
  if (f.flight && !flightsOf(c).has(f.flight)) return false;
  if (f.location && !locationsOf(c).has(f.location)) return false;
  return true;
}

/**
 * Partner rule of the read side (src/projections/visibility.ts), from the change alone: the entity's
 * own code or one of its status row's carriers. Staff (null) see all. Equipment is never a partner's.
 * Conservative: what the read routes also show through the manifest alone (an item loaded on the
 * partner's flight whose status row does not name that flight) is not pushed; the partner sees it
 * over HTTP, or through the flight it subscribes to once the status row links it.
 */
export function visibleTo(carriers: string[] | null, c: Change): boolean {
  if (!carriers) return true;
  if (c.entityType === 'equipment') return false;
  const own = ownCarrier(c.entityType, c.entityId);
  if (own && carriers.includes(own)) return true;
  return c.status.carriers.some((x) => carriers.includes(x));
}
