import { describe, expect, it } from 'vitest';
import { upcast } from '../../src/domain/upcasters';
import { given } from './given';

const FL = 'LA2047-2026-11-22';
const issued = { type: 'BagTagIssued', data: { passengerRef: 'PNR-X1Y2Z3', flights: [FL] } };
const scan = (point: string) => ({ type: 'BagScanned', data: { point } });

describe('baggage', () => {
  it('scans only issued tags, accepted before loaded, never after claim', () => {
    given('baggage', []).thenRejects('tag_not_issued', 'ScanBag', { point: 'Acceptance' });
    given('baggage', [issued]).thenRejects('loaded_before_acceptance', 'ScanBag', { point: 'Loaded' });
    given('baggage', [issued, scan('Acceptance')]).thenEvents('ScanBag', { point: 'Loaded', flight: FL });
    given('baggage', [issued, scan('Acceptance')]).thenRejects('flight_not_on_itinerary', 'ScanBag', { point: 'Loaded', flight: 'IB6650-2026-11-22' });
    given('baggage', [issued, scan('Acceptance'), scan('Claimed')]).thenRejects('bag_already_claimed', 'ScanBag', { point: 'Arrival' });
    given('baggage', [issued]).thenRejects('tag_already_issued', 'IssueBagTag', issued.data);
  });
});

describe('ULD', () => {
  const load = { type: 'UldLoaded', data: { flight: FL, shipments: ['045-12345675'], bags: [] } };
  it('loads once until unloaded, and only while serviceable', () => {
    given('uld', [load]).thenRejects('uld_already_loaded', 'LoadUld', load.data);
    given('uld', [load, { type: 'UldUnloaded', data: {} }]).thenEvents('LoadUld', load.data);
    given('uld', [{ type: 'UldStatusChanged', data: { serviceable: false } }]).thenRejects('uld_unserviceable', 'LoadUld', load.data);
    given('uld', []).thenRejects('uld_not_loaded', 'UnloadUld', {});
    given('uld', [load]).thenRejects('uld_loaded', 'ChangeUldStatus', { serviceable: false });
  });
});

describe('equipment', () => {
  it('assigns free, working equipment and releases it', () => {
    const assigned = { type: 'EquipmentAssigned', data: { flight: FL, task: 'pushback' } };
    given('equipment', [assigned]).thenRejects('equipment_already_assigned', 'AssignEquipment', assigned.data);
    given('equipment', [{ type: 'EquipmentFaultReported', data: { fault: 'hydraulics' } }]).thenRejects('equipment_faulty', 'AssignEquipment', assigned.data);
    expect(given('equipment', [assigned]).thenEvents('ReleaseEquipment', {})).toEqual([{ type: 'EquipmentReleased', data: { flight: FL } }]);
    given('equipment', []).thenRejects('equipment_not_assigned', 'ReleaseEquipment', {});
  });
});

describe('upcasting', () => {
  it('turns FlightStatusChanged v1 into v2 with the documented defaults and vocabulary', () => {
    expect(upcast('FlightStatusChanged', 1, { flightId: FL, status: 'CHECKIN', newStatus: 'AIRBORNE', timestamp: '2025-01-01T10:00:00Z' })).toEqual({
      schemaVersion: 2,
      data: { flightId: FL, oldStatus: 'CheckInOpen', newStatus: 'Departed', timestamp: '2025-01-01T10:00:00Z', reason: 'Not specified', updatedBy: 'system', locationCode: 'UNKNOWN', delayMinutes: 0 },
    });
  });
  it('keeps what v1 had', () => {
    const { data } = upcast('FlightStatusChanged', 1, { flightId: FL, status: 'SCHEDULED', newStatus: 'DELAYED', timestamp: 't', reason: 'ATC', location: 'LIM', delayMinutes: 35 });
    expect(data).toMatchObject({ reason: 'ATC', locationCode: 'LIM', delayMinutes: 35, newStatus: 'Delayed' });
  });
  it('leaves the latest version alone', () => {
    const d = { a: 1 };
    expect(upcast('FlightStatusChanged', 2, d)).toEqual({ schemaVersion: 2, data: d });
    expect(upcast('BagScanned', 1, d)).toEqual({ schemaVersion: 1, data: d });
  });
});
