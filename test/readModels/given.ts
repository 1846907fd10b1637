// Builders for the events read models are given: ProjectionEvents with sensible defaults.
import type { EntityType } from '../../src/domain/identifiers';
import type { ProjectionEvent } from '../../src/projections/types';

export const TENANT = 'tenant-a';
export const T0 = '2026-11-22T10:00:00.000Z';

/** An ISO instant `m` minutes after `from` (T0 unless told). */
export const minutesAfter = (m: number, from = T0) => new Date(Date.parse(from) + m * 60_000).toISOString();

export const FLIGHT = 'LA2047-2026-11-22';
export const ONWARD = 'IB6651-2026-11-23';
export const AWB = '045-12345675';
export const BAG = '0045123456';
export const ULD = 'AKE12345LA';
export const TUG = 'TUG-07';

export type EventOptions = Partial<Omit<ProjectionEvent, 'type' | 'data' | 'entityType' | 'entityId' | 'streamId'>>;

let position = 1000;

/**
 * One stream's events, versions 1, 2, 3… in the order they are made. Unless told, an event
 * happens one minute after the latest so far (the first at T0), is recorded when it happens,
 * and has no location.
 */
export function stream(entityType: EntityType, entityId: string, defaults: EventOptions = {}) {
  let version = 0;
  let last = minutesAfter(-1);
  return (type: string, data: Record<string, any> = {}, o: EventOptions = {}): ProjectionEvent => {
    version = o.version ?? version + 1;
    const occurredAt = o.occurredAt ?? defaults.occurredAt ?? minutesAfter(1, last);
    if (Date.parse(occurredAt) > Date.parse(last)) last = occurredAt;
    return {
      tenantId: TENANT,
      actor: 'agent-1',
      source: 'scanner-1',
      location: null,
      ...defaults,
      ...o,
      streamId: `${entityType}-${entityId}`,
      entityType,
      entityId,
      version,
      position: o.position ?? ++position,
      type,
      data,
      occurredAt,
      recordedAt: o.recordedAt ?? defaults.recordedAt ?? occurredAt,
    };
  };
}

export const flight = (id = FLIGHT, d: EventOptions = {}) => stream('flight', id, d);
export const shipment = (id = AWB, d: EventOptions = {}) => stream('shipment', id, d);
export const bag = (id = BAG, d: EventOptions = {}) => stream('baggage', id, d);
export const uld = (id = ULD, d: EventOptions = {}) => stream('uld', id, d);
export const equipment = (id = TUG, d: EventOptions = {}) => stream('equipment', id, d);

/** Events of common shapes. */
export const scheduled = (origin = 'MAD', destination = 'LIM') => ({
  flightNumber: 'LA2047', scheduledDeparture: '2026-11-22T23:40:00Z', scheduledArrival: '2026-11-23T06:10:00Z', origin, destination,
});
export const statusChange = (oldStatus: string | null, newStatus: string, delayMinutes = 0, reason = 'Not specified') => ({
  flightId: FLIGHT, oldStatus, newStatus, timestamp: T0, reason, updatedBy: 'agent-1', locationCode: 'UNKNOWN', delayMinutes,
});
export const fsu = (code: string, pieces: number, extra: Record<string, unknown> = {}) => ({ code, pieces, weightKg: pieces * 10, ...extra });
