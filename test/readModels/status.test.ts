// Current status per entity: given events → then the row the status read model stores.
import { describe, expect, it } from 'vitest';
import { foldStatus, type StatusRow } from '../../src/projections/status/fold';
import type { ProjectionEvent } from '../../src/projections/types';
import { AWB, BAG, bag, equipment, flight, FLIGHT, fsu, minutesAfter, ONWARD, scheduled, shipment, statusChange, T0, TUG, uld, ULD } from './given';

const fold = (events: ProjectionEvent[], from: StatusRow | null = null) => events.reduce<StatusRow | null>(foldStatus, from)!;

const deepFreeze = <T>(o: T): T => {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
};

describe('status of a flight', () => {
  it('starts a row from the first event, at the origin when the event has no location', () => {
    const e = flight();
    expect(foldStatus(null, e('FlightScheduled', scheduled('MAD', 'LIM'), { recordedAt: minutesAfter(5) }))).toEqual({
      entityType: 'flight',
      entityId: FLIGHT,
      status: 'Scheduled',
      location: null,
      airport: 'MAD',
      flight: null,
      uld: null,
      pieces: null,
      weightKg: null,
      carriers: ['LA'],
      details: { origin: 'MAD', destination: 'LIM', scheduledDeparture: '2026-11-22T23:40:00Z', scheduledArrival: '2026-11-23T06:10:00Z', delayMinutes: 0 },
      lastEventType: 'FlightScheduled',
      lastEventAt: T0,
      updatedAt: minutesAfter(5),
      version: 1,
    });
  });

  it('takes the airport from the event location over the origin', () => {
    const e = flight();
    expect(fold([e('FlightScheduled', scheduled('MAD', 'LIM'), { location: 'LIM/GATE/A5' })])).toMatchObject({ location: 'LIM/GATE/A5', airport: 'LIM' });
  });

  it('keeps a flight\'s delay until a later status changes it', () => {
    const e = flight();
    const delayed = fold([
      e('FlightScheduled', scheduled()),
      e('FlightStatusChanged', statusChange('Scheduled', 'Delayed', 45, 'Late inbound aircraft')),
      e('TurnaroundMilestoneRecorded', { milestone: 'OnBlock', at: minutesAfter(2) }),
    ]);
    expect(delayed).toMatchObject({ status: 'Delayed', details: { delayMinutes: 45, reason: 'Late inbound aircraft' } });

    const departed = fold([e('FlightStatusChanged', statusChange('Delayed', 'Departed', 50))], delayed);
    expect(departed.status).toBe('Departed');
    expect(departed.details).toMatchObject({ delayMinutes: 50, reason: 'Late inbound aircraft' }); // "Not specified" keeps the known reason
  });

  it('does not reset a known delay when the schedule arrives late', () => {
    const e = flight();
    const row = fold([e('FlightStatusChanged', statusChange(null, 'Delayed', 30)), e('FlightScheduled', scheduled())]);
    expect(row).toMatchObject({ status: 'Delayed', details: { delayMinutes: 30, origin: 'MAD' } });
  });

  it('puts a flight that arrives without a location at its destination airport', () => {
    const e = flight();
    const row = fold([
      e('FlightScheduled', scheduled('MAD', 'LIM')),
      e('FlightStatusChanged', statusChange('Scheduled', 'Departed'), { location: 'MAD/GATE/A5' }),
      e('FlightStatusChanged', statusChange('Departed', 'Arrived')),
    ]);
    expect(row).toMatchObject({ status: 'Arrived', airport: 'LIM' });
  });

  it('puts a flight that is diverted without a location nowhere new', () => {
    const e = flight();
    const row = fold([
      e('FlightScheduled', scheduled('MAD', 'LIM')),
      e('FlightStatusChanged', statusChange('Scheduled', 'Departed'), { location: 'MAD/GATE/A5' }),
      e('FlightStatusChanged', statusChange('Departed', 'Diverted')),
    ]);
    expect(row).toMatchObject({ status: 'Diverted', location: 'MAD/GATE/A5', airport: 'MAD' });
  });

  it('records each turnaround milestone and the last one', () => {
    const e = flight();
    const row = fold([
      e('TurnaroundMilestoneRecorded', { milestone: 'OnBlock', at: '2026-11-22T10:00:00Z' }),
      e('TurnaroundMilestoneRecorded', { milestone: 'DoorsOpen', at: '2026-11-22T10:03:00Z' }),
    ]);
    expect(row.details).toEqual({ milestones: { OnBlock: '2026-11-22T10:00:00Z', DoorsOpen: '2026-11-22T10:03:00Z' }, lastMilestone: 'DoorsOpen' });
    expect(row.status).toBeNull(); // a milestone is not a status
  });
});

describe('last event and versions', () => {
  it('a late upload does not move the last event back in time', () => {
    const e = shipment();
    const row = fold([
      e('ShipmentStatusRecorded', fsu('RCS', 3), { occurredAt: '2026-11-22T10:00:00.000Z' }),
      e('ShipmentStatusRecorded', fsu('FOH', 3), { occurredAt: '2026-11-22T12:00:00.000Z' }),
      e('ShipmentStatusRecorded', fsu('RCS', 3), { occurredAt: '2026-11-22T11:00:00.000Z', recordedAt: '2026-11-22T13:00:00.000Z' }),
    ]);
    expect(row).toMatchObject({ lastEventAt: '2026-11-22T12:00:00.000Z', updatedAt: '2026-11-22T13:00:00.000Z', version: 3 });
  });

  it('after a late upload the last event\'s type is still that of the latest event', () => {
    // the API shows lastEvent: { type, occurredAt }: both must describe the same event
    const e = flight();
    const row = fold([
      e('FlightScheduled', scheduled(), { occurredAt: '2026-11-22T09:00:00.000Z' }),
      e('FlightStatusChanged', statusChange('Scheduled', 'Boarding'), { occurredAt: '2026-11-22T12:00:00.000Z' }),
      e('TurnaroundMilestoneRecorded', { milestone: 'OnBlock', at: '2026-11-22T11:00:00.000Z' }, { occurredAt: '2026-11-22T11:00:00.000Z' }),
    ]);
    expect({ type: row.lastEventType, at: row.lastEventAt }).toEqual({ type: 'FlightStatusChanged', at: '2026-11-22T12:00:00.000Z' });
  });

  it('an event later in time moves the last event forward', () => {
    const e = shipment();
    const row = fold([e('ShipmentStatusRecorded', fsu('RCS', 3)), e('ShipmentStatusRecorded', fsu('FOH', 3), { occurredAt: '2026-11-23T08:00:00.000Z' })]);
    expect(row).toMatchObject({ lastEventType: 'ShipmentStatusRecorded', lastEventAt: '2026-11-23T08:00:00.000Z', version: 2 });
  });

  it('does not change the row it is given', () => {
    const e = equipment();
    const before = deepFreeze(fold([e('EquipmentAssigned', { flight: FLIGHT, task: 'pushback' }, { location: 'LIM/STAND/12' })]));
    const copy = structuredClone(before);
    const after = fold([e('EquipmentReleased', { flight: FLIGHT })], before);
    expect(before).toEqual(copy);
    expect(after).toMatchObject({ status: 'Available', flight: null, details: {} });
  });
});

describe('status of a shipment', () => {
  it('events with no location keep the last known location', () => {
    const e = shipment();
    const row = fold([e('ShipmentStatusRecorded', fsu('RCS', 3), { location: 'MAD/WH1/B-14' }), e('ShipmentStatusRecorded', fsu('FOH', 3))]);
    expect(row).toMatchObject({ status: 'FOH', location: 'MAD/WH1/B-14', airport: 'MAD' });
  });

  it('counts pieces delivered across split deliveries, and the most pieces received', () => {
    const e = shipment();
    const row = fold([
      e('ShipmentStatusRecorded', fsu('RCS', 10), { location: 'MAD' }),
      e('ShipmentStatusRecorded', fsu('RCF', 8), { location: 'LIM/WH2' }),
      e('ShipmentStatusRecorded', fsu('DLV', 4), { location: 'LIM/WH2' }),
      e('ShipmentStatusRecorded', fsu('DLV', 6), { location: 'LIM/WH2' }),
    ]);
    expect(row).toMatchObject({ status: 'DLV', pieces: 6, weightKg: 60, details: { piecesReceived: 10, piecesDelivered: 10 } });
  });

  it('remembers its flight and ULD until another status names others', () => {
    const e = shipment();
    const row = fold([
      e('ShipmentStatusRecorded', fsu('DEP', 3, { flight: FLIGHT, uld: ULD }), { location: 'MAD' }),
      e('ShipmentStatusRecorded', fsu('ARR', 3), { location: 'LIM' }),
    ]);
    expect(row).toMatchObject({ status: 'ARR', flight: FLIGHT, uld: ULD, carriers: ['045', 'LA'] });
  });

  it('keeps the discrepancy of a DIS', () => {
    const e = shipment();
    const row = fold([e('ShipmentStatusRecorded', fsu('RCF', 3)), e('ShipmentStatusRecorded', fsu('DIS', 1, { discrepancy: 'DMCA' }))]);
    expect(row).toMatchObject({ status: 'DIS', pieces: 1, details: { piecesReceived: 3, discrepancy: 'DMCA' } });
  });

  it('is seen by its AWB prefix alone before it is on a flight', () => {
    expect(fold([shipment()('ShipmentStatusRecorded', fsu('BKD', 3))]).carriers).toEqual(['045']);
  });
});

describe('status of a bag', () => {
  it('partners of the flight carrier see a bag on its itinerary', () => {
    const e = bag();
    const row = fold([e('BagTagIssued', { passengerRef: 'PAX-1', flights: [FLIGHT, ONWARD] })]);
    expect(row).toMatchObject({ entityId: BAG, status: 'Issued', flight: FLIGHT, details: { itinerary: [FLIGHT, ONWARD] }, carriers: ['045', 'IB', 'LA'] });
  });

  it('follows the scans, with the flight and ULD they name', () => {
    const e = bag();
    const row = fold([
      e('BagTagIssued', { passengerRef: 'PAX-1', flights: [FLIGHT] }),
      e('BagScanned', { point: 'Acceptance' }, { location: 'MAD/CHECKIN' }),
      e('BagScanned', { point: 'Loaded', flight: ONWARD, uld: ULD }, { location: 'MAD/STAND/12' }),
    ]);
    expect(row).toMatchObject({ status: 'Loaded', flight: ONWARD, uld: ULD, location: 'MAD/STAND/12', airport: 'MAD', carriers: ['045', 'IB', 'LA'] });
  });

  it('does not go back to Issued when the tag arrives after a scan', () => {
    const e = bag();
    const row = fold([e('BagScanned', { point: 'Acceptance', flight: ONWARD }), e('BagTagIssued', { passengerRef: 'PAX-1', flights: [FLIGHT] })]);
    expect(row).toMatchObject({ status: 'Acceptance', flight: ONWARD });
  });

  it('shows a mishandled bag with its reason and report', () => {
    const e = bag();
    const row = fold([e('BagTagIssued', { passengerRef: 'PAX-1', flights: [FLIGHT] }), e('BagMishandled', { reason: 'Delayed', report: 'LIMLA12345' })]);
    expect(row).toMatchObject({ status: 'Mishandled', details: { itinerary: [FLIGHT], mishandled: 'Delayed', report: 'LIMLA12345' } });
  });
});

describe('status of a ULD', () => {
  it('is on the flight it is loaded for, with what it holds', () => {
    const e = uld();
    const row = fold([e('UldLoaded', { flight: ONWARD, shipments: [AWB], bags: [BAG] }, { location: 'MAD/STAND/12' })]);
    expect(row).toMatchObject({ status: 'Loaded', flight: ONWARD, details: { shipments: [AWB], bags: [BAG] }, carriers: ['IB', 'LA'] });
  });

  it('loaded without lists holds nothing', () => {
    const row = fold([uld()('UldLoaded', { flight: FLIGHT })]);
    expect(row.details).toEqual({ shipments: [], bags: [] });
  });

  it('unloading clears the flight, its contents and the flight carrier', () => {
    const e = uld();
    const row = fold([e('UldLoaded', { flight: ONWARD, shipments: [AWB], bags: [BAG] }), e('UldUnloaded', { flight: ONWARD })]);
    expect(row).toMatchObject({ status: 'Unloaded', flight: null, details: { shipments: [], bags: [] }, carriers: ['LA'] });
  });

  it('goes out of service and back', () => {
    const e = uld();
    const out = fold([e('UldUnloaded', {}), e('UldStatusChanged', { serviceable: false })]);
    expect(out).toMatchObject({ status: 'Unserviceable', details: { serviceable: false } });
    const back = fold([e('UldStatusChanged', { serviceable: true })], out);
    expect(back).toMatchObject({ status: 'Serviceable', details: { serviceable: true } });
  });

  it('a serviceable report does not replace another status', () => {
    const e = uld();
    const row = fold([e('UldUnloaded', {}), e('UldStatusChanged', { serviceable: true })]);
    expect(row).toMatchObject({ status: 'Unloaded', details: { serviceable: true } });
  });
});

describe('status of equipment', () => {
  it('is assigned to a flight for a task, and available once released', () => {
    const e = equipment();
    const assigned = fold([e('EquipmentAssigned', { flight: FLIGHT, task: 'pushback' }, { location: 'LIM/STAND/12' })]);
    expect(assigned).toMatchObject({ entityId: TUG, status: 'Assigned', flight: FLIGHT, details: { task: 'pushback' }, airport: 'LIM' });
    const released = fold([e('EquipmentReleased', { flight: FLIGHT })], assigned);
    expect(released).toMatchObject({ status: 'Available', flight: null });
    expect(released.details).toEqual({});
  });

  it('a fault while assigned makes it faulty, and it stays faulty when released', () => {
    const e = equipment();
    const faulty = fold([e('EquipmentAssigned', { flight: FLIGHT, task: 'pushback' }), e('EquipmentFaultReported', { fault: 'hydraulic leak' })]);
    expect(faulty).toMatchObject({ status: 'Faulty', flight: FLIGHT, details: { task: 'pushback', fault: 'hydraulic leak' } });
    const released = fold([e('EquipmentReleased', { flight: FLIGHT })], faulty);
    expect(released).toMatchObject({ status: 'Faulty', flight: null });
    expect(released.details).toEqual({ fault: 'hydraulic leak' });
  });

  it('no partner sees the handler\'s equipment, even while it is assigned to the partner\'s flight', () => {
    // ownCarrier: "the handler's own ground equipment: no partner sees it"
    const row = fold([equipment()('EquipmentAssigned', { flight: FLIGHT, task: 'pushback' })]);
    expect(row.carriers).toEqual([]);
  });
});
