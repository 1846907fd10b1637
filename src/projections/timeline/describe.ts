// One human-readable line per event, and the time as the site's clock showed it (pure).
import { airportOf, airportTimeZone } from '../../domain/airports';
import type { ProjectionEvent } from '../types';

const SHIPMENT_CODE: Record<string, string> = {
  BKD: 'Booked', RCS: 'Received from shipper', FOH: 'Freight on hand', PRE: 'Prepared for loading', MAN: 'Manifested',
  DEP: 'Departed', TRM: 'Transferred to another carrier', ARR: 'Arrived', RCF: 'Received from flight', NFD: 'Consignee notified',
  AWD: 'Documents delivered', CCD: 'Cleared by customs', DLV: 'Delivered to consignee', DIS: 'Discrepancy',
};

const on = (flight?: string) => (flight ? ` on ${flight}` : '');
const list = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

export function describe(e: ProjectionEvent): string {
  const d = e.data;
  switch (e.type) {
    case 'FlightScheduled':
      return `Scheduled ${d.origin} → ${d.destination}, departing ${d.scheduledDeparture}`;
    case 'FlightStatusChanged':
      return `Status ${d.oldStatus ?? 'none'} → ${d.newStatus}${d.delayMinutes ? `, ${d.delayMinutes} min late` : ''}${d.reason && d.reason !== 'Not specified' ? ` (${d.reason})` : ''}`;
    case 'TurnaroundMilestoneRecorded':
      return `Turnaround: ${d.milestone.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()}`;
    case 'ShipmentStatusRecorded':
      return `${d.code} ${SHIPMENT_CODE[d.code] ?? ''}: ${d.pieces} pcs, ${d.weightKg} kg${on(d.flight)}${d.uld ? ` in ${d.uld}` : ''}${d.discrepancy ? ` (${d.discrepancy})` : ''}`;
    case 'BagTagIssued':
      return `Bag tag issued for ${d.flights.join(' → ')}`;
    case 'BagScanned':
      return `Bag scanned: ${d.point}${on(d.flight)}${d.uld ? ` in ${d.uld}` : ''}`;
    case 'BagMishandled':
      return `Bag mishandled: ${d.reason}${d.report ? ` (report ${d.report})` : ''}`;
    case 'UldLoaded':
      return `Loaded for ${d.flight}: ${list((d.shipments ?? []).length, 'shipment')}, ${list((d.bags ?? []).length, 'bag')}`;
    case 'UldUnloaded':
      return `Unloaded${d.flight ? ` from ${d.flight}` : ''}`;
    case 'UldStatusChanged':
      return d.serviceable ? 'Back in service' : 'Taken out of service';
    case 'EquipmentAssigned':
      return `Assigned to ${d.flight}: ${d.task}`;
    case 'EquipmentReleased':
      return `Released${d.flight ? ` from ${d.flight}` : ''}`;
    case 'EquipmentFaultReported':
      return `Fault reported: ${d.fault}`;
    default:
      return e.type;
  }
}

/** `2026-11-23 07:15 -05:00` in the time zone of the event's airport (null without one). */
export function siteTime(occurredAt: string, location: string | null): string | null {
  const zone = location ? airportTimeZone(airportOf(location)) : undefined;
  if (!zone) return null;
  try {
    const parts = Object.fromEntries(formatter(zone).formatToParts(new Date(occurredAt)).map((p) => [p.type, p.value]));
    const offset = parts.timeZoneName === 'GMT' ? '+00:00' : String(parts.timeZoneName).replace('GMT', '');
    return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${offset}`;
  } catch {
    return null;
  }
}

// Building a formatter costs far more than using one; a rebuild formats a million times.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'longOffset',
    });
    formatters.set(timeZone, f);
  }
  return f;
}
