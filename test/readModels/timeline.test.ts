// Timeline lines: what each event says, and the time as the site's clock showed it.
import { describe, expect, it } from 'vitest';
import { describe as line, siteTime } from '../../src/projections/timeline/describe';
import { AWB, BAG, bag, equipment, flight, FLIGHT, fsu, ONWARD, scheduled, shipment, statusChange, uld, ULD } from './given';

describe('one line per event', () => {
  it.each([
    ['a schedule', flight()('FlightScheduled', scheduled('MAD', 'LIM')), 'Scheduled MAD → LIM, departing 2026-11-22T23:40:00Z'],
    ['a delay with its reason', flight()('FlightStatusChanged', statusChange('Scheduled', 'Delayed', 45, 'Late inbound aircraft')), 'Status Scheduled → Delayed, 45 min late (Late inbound aircraft)'],
    ['an on-time departure without a reason', flight()('FlightStatusChanged', statusChange('Boarding', 'Departed')), 'Status Boarding → Departed'],
    ['an upcast v1 status without an old status', flight()('FlightStatusChanged', statusChange(null, 'Boarding')), 'Status none → Boarding'],
    ['a milestone of one word pair', flight()('TurnaroundMilestoneRecorded', { milestone: 'OnBlock', at: '2026-11-22T10:00:00Z' }), 'Turnaround: on block'],
    ['a milestone of another', flight()('TurnaroundMilestoneRecorded', { milestone: 'PushbackRequested', at: '2026-11-22T10:00:00Z' }), 'Turnaround: pushback requested'],
    ['a cargo arrival on a flight in a ULD', shipment()('ShipmentStatusRecorded', fsu('RCF', 5, { weightKg: 120, flight: FLIGHT, uld: ULD })), `RCF Received from flight: 5 pcs, 120 kg on ${FLIGHT} in ${ULD}`],
    ['a cargo status without flight', shipment()('ShipmentStatusRecorded', fsu('FOH', 3)), 'FOH Freight on hand: 3 pcs, 30 kg'],
    ['a cargo discrepancy', shipment()('ShipmentStatusRecorded', fsu('DIS', 1, { discrepancy: 'DMCA' })), 'DIS Discrepancy: 1 pcs, 10 kg (DMCA)'],
    ['a bag tag for two flights', bag()('BagTagIssued', { passengerRef: 'PAX-1', flights: [FLIGHT, ONWARD] }), `Bag tag issued for ${FLIGHT} → ${ONWARD}`],
    ['a bag acceptance', bag()('BagScanned', { point: 'Acceptance' }), 'Bag scanned: Acceptance'],
    ['a bag loaded in a ULD', bag()('BagScanned', { point: 'Loaded', flight: FLIGHT, uld: ULD }), `Bag scanned: Loaded on ${FLIGHT} in ${ULD}`],
    ['a mishandled bag with a report', bag()('BagMishandled', { reason: 'Damaged', report: 'LIMLA12345' }), 'Bag mishandled: Damaged (report LIMLA12345)'],
    ['a mishandled bag without', bag()('BagMishandled', { reason: 'Lost' }), 'Bag mishandled: Lost'],
    ['a ULD load of one shipment and two bags', uld()('UldLoaded', { flight: FLIGHT, shipments: [AWB], bags: [BAG, '0045123457'] }), `Loaded for ${FLIGHT}: 1 shipment, 2 bags`],
    ['a ULD load without lists', uld()('UldLoaded', { flight: FLIGHT }), `Loaded for ${FLIGHT}: 0 shipments, 0 bags`],
    ['a ULD unload from a flight', uld()('UldUnloaded', { flight: FLIGHT }), `Unloaded from ${FLIGHT}`],
    ['a ULD unload without one', uld()('UldUnloaded', {}), 'Unloaded'],
    ['a ULD out of service', uld()('UldStatusChanged', { serviceable: false }), 'Taken out of service'],
    ['a ULD back in service', uld()('UldStatusChanged', { serviceable: true }), 'Back in service'],
    ['an equipment assignment', equipment()('EquipmentAssigned', { flight: FLIGHT, task: 'pushback' }), `Assigned to ${FLIGHT}: pushback`],
    ['an equipment release', equipment()('EquipmentReleased', { flight: FLIGHT }), `Released from ${FLIGHT}`],
    ['an equipment release without flight', equipment()('EquipmentReleased', {}), 'Released'],
    ['an equipment fault', equipment()('EquipmentFaultReported', { fault: 'hydraulic leak' }), 'Fault reported: hydraulic leak'],
    ['an event type it does not know', equipment()('EquipmentWashed', { bay: 3 }), 'EquipmentWashed'],
  ])('describes %s', (_what, event, expected) => {
    expect(line(event)).toBe(expected);
  });
});

describe('site time', () => {
  it('shows Lima time, five hours behind UTC', () => {
    expect(siteTime('2026-11-23T12:15:00Z', 'LIM/WH2')).toBe('2026-11-23 07:15 -05:00');
  });

  it('shows the local date when it is still the day before at the site', () => {
    expect(siteTime('2026-11-23T03:30:00.000Z', 'LIM')).toBe('2026-11-22 22:30 -05:00');
  });

  it('shows Madrid in winter one hour ahead and in summer two', () => {
    expect(siteTime('2026-01-15T10:00:00Z', 'MAD/WH1/B-14')).toBe('2026-01-15 11:00 +01:00');
    expect(siteTime('2026-07-15T10:00:00Z', 'MAD/WH1/B-14')).toBe('2026-07-15 12:00 +02:00');
  });

  it('moves Madrid clocks forward at 01:00 UTC on the last Sunday of March', () => {
    expect(siteTime('2026-03-29T00:59:00Z', 'MAD')).toBe('2026-03-29 01:59 +01:00');
    expect(siteTime('2026-03-29T01:00:00Z', 'MAD')).toBe('2026-03-29 03:00 +02:00');
  });

  it('shows midnight as 00, not 24', () => {
    expect(siteTime('2026-11-22T23:05:00Z', 'MAD')).toBe('2026-11-23 00:05 +01:00');
  });

  it('shows London in winter as +00:00', () => {
    expect(siteTime('2026-01-15T10:00:00Z', 'LHR')).toBe('2026-01-15 10:00 +00:00');
  });

  it('shows offsets that are not whole hours', () => {
    expect(siteTime('2026-11-22T10:00:00Z', 'DEL')).toBe('2026-11-22 15:30 +05:30');
    expect(siteTime('2026-11-22T10:00:00Z', 'KTM')).toBe('2026-11-22 15:45 +05:45');
  });

  it('shows southern-hemisphere summer time (Santiago in November)', () => {
    expect(siteTime('2026-11-22T10:00:00Z', 'SCL')).toBe('2026-11-22 07:00 -03:00');
  });

  it('has no site time without a location', () => {
    expect(siteTime('2026-11-23T12:15:00Z', null)).toBeNull();
  });

  it('has no site time at an airport it does not know', () => {
    expect(siteTime('2026-11-23T12:15:00Z', 'QQQ/WH2')).toBeNull();
  });

  it('has no site time for a time it cannot read', () => {
    expect(siteTime('not a time', 'LIM')).toBeNull();
  });
});
