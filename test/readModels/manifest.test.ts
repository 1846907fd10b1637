// Flight manifest: what one event links to (or unlinks from) a flight.
import { describe, expect, it } from 'vitest';
import { manifestChange } from '../../src/projections/manifest/project';
import { AWB, BAG, bag, flight, FLIGHT, fsu, ONWARD, shipment, statusChange, TENANT, uld, ULD } from './given';

const AT = '2026-11-22T21:30:00.000Z';

describe('flight manifest changes', () => {
  it('a ULD load first unloads the ULD, then links it and what it holds to the flight', () => {
    const e = uld()('UldLoaded', { flight: ONWARD, shipments: [AWB], bags: [BAG, '0045123457'] }, { occurredAt: AT });
    const link = { tenant_id: TENANT, flight_id: ONWARD, carrier: 'IB', linked_by: 'UldLoaded', linked_at: AT };
    expect(manifestChange(e)).toEqual({
      unloadUld: { tenant_id: TENANT, uld_id: ULD },
      link: [
        { ...link, item_type: 'uld', item_id: ULD, uld_id: null },
        { ...link, item_type: 'shipment', item_id: AWB, uld_id: ULD },
        { ...link, item_type: 'baggage', item_id: BAG, uld_id: ULD },
        { ...link, item_type: 'baggage', item_id: '0045123457', uld_id: ULD },
      ],
    });
  });

  it('a ULD load without lists links only the ULD', () => {
    const e = uld()('UldLoaded', { flight: FLIGHT }, { occurredAt: AT });
    expect(manifestChange(e).link).toEqual([
      { tenant_id: TENANT, flight_id: FLIGHT, carrier: 'LA', item_type: 'uld', item_id: ULD, uld_id: null, linked_by: 'UldLoaded', linked_at: AT },
    ]);
  });

  it('a ULD unload only unloads the ULD', () => {
    expect(manifestChange(uld()('UldUnloaded', { flight: FLIGHT }))).toEqual({ unloadUld: { tenant_id: TENANT, uld_id: ULD } });
  });

  it('a shipment status naming a flight links the shipment, in its ULD when it names one', () => {
    const s = shipment();
    const base = { tenant_id: TENANT, flight_id: FLIGHT, carrier: 'LA', item_type: 'shipment', item_id: AWB, linked_by: 'ShipmentStatusRecorded' };
    expect(manifestChange(s('ShipmentStatusRecorded', fsu('MAN', 3, { flight: FLIGHT }), { occurredAt: AT }))).toEqual({ link: [{ ...base, uld_id: null, linked_at: AT }] });
    expect(manifestChange(s('ShipmentStatusRecorded', fsu('DEP', 3, { flight: FLIGHT, uld: ULD }), { occurredAt: AT }))).toEqual({ link: [{ ...base, uld_id: ULD, linked_at: AT }] });
  });

  it('a shipment status without a flight changes nothing', () => {
    expect(manifestChange(shipment()('ShipmentStatusRecorded', fsu('RCS', 3), { location: 'MAD' }))).toEqual({});
  });

  it('a bag loaded on a flight is linked to it', () => {
    const e = bag()('BagScanned', { point: 'Loaded', flight: FLIGHT, uld: ULD }, { occurredAt: AT });
    expect(manifestChange(e)).toEqual({
      link: [{ tenant_id: TENANT, flight_id: FLIGHT, carrier: 'LA', item_type: 'baggage', item_id: BAG, uld_id: ULD, linked_by: 'BagScanned', linked_at: AT }],
    });
  });

  it('other bag scans, or a loaded scan that names no flight, change nothing', () => {
    const b = bag();
    expect(manifestChange(b('BagScanned', { point: 'Acceptance', flight: FLIGHT }))).toEqual({});
    expect(manifestChange(b('BagScanned', { point: 'Loaded' }))).toEqual({});
  });

  it('flight, bag tag and equipment events change nothing', () => {
    expect(manifestChange(flight()('FlightStatusChanged', statusChange('Boarding', 'Departed')))).toEqual({});
    expect(manifestChange(bag()('BagTagIssued', { passengerRef: 'PAX-1', flights: [FLIGHT] }))).toEqual({});
    expect(manifestChange(uld()('UldStatusChanged', { serviceable: false }))).toEqual({});
  });
});
