// Which airline codes an entity is tied to, so partners of those airlines see it.
import { describe, expect, it } from 'vitest';
import { carriersOf, flightCarrier, ownCarrier } from '../../src/projections/carriers';
import { AWB, BAG, FLIGHT, ONWARD, TUG, ULD } from './given';

describe('own carrier', () => {
  it.each([
    ['flight', FLIGHT, 'LA'],
    ['flight', '4M1234A-2026-11-22', '4M'],
    ['shipment', AWB, '045'],
    ['baggage', BAG, '045'],
    ['baggage', '1074000001', '074'],
    ['uld', ULD, 'LA'],
    ['uld', 'PMC1234IB', 'IB'],
    ['equipment', TUG, null],
  ] as const)('of %s %s is %s', (type, id, expected) => {
    expect(ownCarrier(type, id)).toBe(expected);
  });

  it('of a flight id is its airline designator', () => {
    expect(flightCarrier(ONWARD)).toBe('IB');
  });
});

describe('carriers of an entity', () => {
  it('partners of the flight carrier see a bag on its itinerary', () => {
    expect(carriersOf('baggage', BAG, [FLIGHT, ONWARD])).toEqual(['045', 'IB', 'LA']);
  });

  it('lists each code once, sorted, skipping missing flights', () => {
    expect(carriersOf('uld', ULD, [null, ONWARD, undefined, 'LA2048-2026-11-23', FLIGHT])).toEqual(['IB', 'LA']);
  });

  it('a flight is its own airline\'s', () => {
    expect(carriersOf('flight', FLIGHT, [])).toEqual(['LA']);
  });

  it('equipment on its own is no partner\'s', () => {
    expect(carriersOf('equipment', TUG, [])).toEqual([]);
  });
});
