// Current status of an entity, folded from its events (pure: the status read model stores its result).
import { airportOf } from '../../domain/airports';
import { carriersOf } from '../carriers';
import type { ProjectionEvent } from '../types';

export type StatusRow = {
  entityType: string;
  entityId: string;
  status: string | null;
  location: string | null;
  airport: string | null;
  flight: string | null;
  uld: string | null;
  pieces: number | null;
  weightKg: number | null;
  carriers: string[];
  details: Record<string, any>;
  lastEventType: string;
  lastEventAt: string;
  updatedAt: string;
  version: number;
};

export function foldStatus(row: StatusRow | null, e: ProjectionEvent): StatusRow {
  const prev: StatusRow = row ?? {
    entityType: e.entityType, entityId: e.entityId, status: null, location: null, airport: null, flight: null, uld: null,
    pieces: null, weightKg: null, carriers: [], details: {}, lastEventType: e.type, lastEventAt: e.occurredAt, updatedAt: e.recordedAt, version: 0,
  };
  // a late upload must not move "last event" back in time
  const late = prev.version > 0 && Date.parse(prev.lastEventAt) > Date.parse(e.occurredAt);
  const next: StatusRow = {
    ...prev,
    details: { ...prev.details },
    lastEventType: late ? prev.lastEventType : e.type,
    lastEventAt: late ? prev.lastEventAt : e.occurredAt,
    updatedAt: e.recordedAt,
    version: e.version,
  };
  if (e.location) {
    next.location = e.location;
    next.airport = airportOf(e.location);
  }
  const d = e.data;
  const det = next.details;
  switch (e.type) {
    case 'FlightScheduled':
      next.status ??= 'Scheduled';
      Object.assign(det, { origin: d.origin, destination: d.destination, scheduledDeparture: d.scheduledDeparture, scheduledArrival: d.scheduledArrival, delayMinutes: det.delayMinutes ?? 0 });
      if (!e.location) next.airport ??= d.origin;
      break;
    case 'FlightStatusChanged':
      next.status = d.newStatus;
      det.delayMinutes = d.delayMinutes;
      if (d.reason && d.reason !== 'Not specified') det.reason = d.reason;
      else if (!d.delayMinutes || d.newStatus === 'Cancelled') delete det.reason; // a delay's reason lasts as long as the delay
      if (!e.location && d.newStatus === 'Arrived' && det.destination) next.airport = next.location = det.destination;
      break;
    case 'TurnaroundMilestoneRecorded':
      det.milestones = { ...det.milestones, [d.milestone]: d.at };
      det.lastMilestone = d.milestone;
      break;
    case 'ShipmentStatusRecorded':
      next.status = d.code;
      next.pieces = d.pieces;
      next.weightKg = d.weightKg;
      if (d.flight) next.flight = d.flight;
      if (d.uld) next.uld = d.uld;
      if (d.code === 'RCS' || d.code === 'RCF') det.piecesReceived = Math.max(det.piecesReceived ?? 0, d.pieces);
      if (d.code === 'DLV') det.piecesDelivered = (det.piecesDelivered ?? 0) + d.pieces;
      if (d.discrepancy) det.discrepancy = d.discrepancy;
      break;
    case 'BagTagIssued':
      next.status ??= 'Issued';
      det.itinerary = d.flights;
      next.flight ??= d.flights[0] ?? null;
      break;
    case 'BagScanned':
      next.status = d.point;
      if (d.flight) next.flight = d.flight;
      if (d.uld) next.uld = d.uld;
      break;
    case 'BagMishandled':
      next.status = 'Mishandled';
      det.mishandled = d.reason;
      if (d.report) det.report = d.report;
      break;
    case 'UldLoaded':
      next.status = 'Loaded';
      next.flight = d.flight;
      Object.assign(det, { shipments: d.shipments ?? [], bags: d.bags ?? [] });
      break;
    case 'UldUnloaded':
      next.status = 'Unloaded';
      next.flight = null;
      Object.assign(det, { shipments: [], bags: [] });
      break;
    case 'UldStatusChanged':
      det.serviceable = d.serviceable;
      if (!d.serviceable) next.status = 'Unserviceable';
      else if (next.status === 'Unserviceable') next.status = 'Serviceable';
      break;
    case 'EquipmentAssigned':
      next.status = 'Assigned';
      next.flight = d.flight;
      det.task = d.task;
      break;
    case 'EquipmentReleased':
      next.status = det.fault ? 'Faulty' : 'Available';
      next.flight = null;
      delete det.task;
      break;
    case 'EquipmentFaultReported':
      next.status = 'Faulty';
      det.fault = d.fault;
      break;
  }
  // the handler's own equipment is never a partner's, even while it works on a partner's flight
  next.carriers = e.entityType === 'equipment' ? [] : carriersOf(e.entityType, next.entityId, [next.flight, ...(det.itinerary ?? [])]);
  return next;
}
