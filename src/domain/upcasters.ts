// Stored events are never rewritten: older schema versions are upcast on every read path.
// One function per (type, from-version); the chain runs until the type's latest version.
import { V1_STATUS } from './flight';

type Data = Record<string, unknown>;

const UPCASTERS: Record<string, (data: Data) => Data> = {
  'FlightStatusChanged@1': (d) => ({
    flightId: d.flightId,
    oldStatus: V1_STATUS[String(d.status)] ?? null,
    newStatus: V1_STATUS[String(d.newStatus)] ?? 'Scheduled',
    timestamp: d.timestamp,
    reason: d.reason ?? 'Not specified',
    updatedBy: 'system',
    locationCode: d.location ?? 'UNKNOWN',
    delayMinutes: d.delayMinutes ?? 0,
  }),
};

/** `type@version` of every stored shape that has an upcaster; reads use it to skip clean pages. */
export const UPCASTABLE = Object.keys(UPCASTERS);

export function upcast(type: string, schemaVersion: number, data: Data): { schemaVersion: number; data: Data } {
  let v = schemaVersion;
  let d = data;
  for (let step = UPCASTERS[`${type}@${v}`]; step; step = UPCASTERS[`${type}@${v}`]) {
    d = step(d);
    v++;
  }
  return { schemaVersion: v, data: d };
}
