import { describe, expect, it } from 'vitest';
import { checkAwb, checkBagTag, checkEquipmentTag, checkFlightId, checkUldId, parseStreamId } from '../src/domain/identifiers';

const rule = (r: { ok: boolean; rule?: string }) => (r.ok ? 'ok' : r.rule);

describe('air waybill', () => {
  it.each([
    ['045-12345675', 'ok'],
    ['020-00000000', 'ok'], // check digit 0
    ['176-00000066', 'ok'], // check digit 6: 0000006 mod 7
    ['074-99999992', 'ok'], // 9999999 mod 7 = 2
    ['045-12345670', 'awb_check_digit'],
    ['045-1234567', 'awb_format'],
    ['04512345675', 'awb_format'],
    [' 045-12345675', 'whitespace'],
    ['045-1234567５', 'ascii'], // full-width digit
    ['', 'empty'],
  ])('%s -> %s', (id, expected) => expect(rule(checkAwb(id))).toBe(expected));

  it('says which check digit it wanted', () => {
    const r = checkAwb('045-12345670');
    expect(!r.ok && r.message).toContain('must be 5');
  });
});

describe('flight id', () => {
  it.each([
    ['LA2047-2026-11-22', 'ok'],
    ['U21-2026-01-01', 'ok'],
    ['9W123A-2024-02-29', 'ok'],
    ['la2047-2026-11-22', 'uppercase'],
    ['LA20470-2026-11-22', 'flight_format'],
    ['LA2047-2026-02-30', 'flight_date'],
    ['LA2047-2025-02-29', 'flight_date'],
    ['12345-2026-11-22', 'airline_code'],
    ['LA 2047-2026-11-22', 'whitespace'],
    ['LΑ2047-2026-11-22', 'ascii'], // Greek capital alpha
  ])('%s -> %s', (id, expected) => expect(rule(checkFlightId(id))).toBe(expected));
});

describe('bag tag, ULD, equipment', () => {
  it.each([
    [checkBagTag, '0045123456', 'ok'],
    [checkBagTag, '2045123456', 'ok'],
    [checkBagTag, '3045123456', 'bag_tag_leading_digit'],
    [checkBagTag, '004512345', 'bag_tag_format'],
    [checkUldId, 'AKE12345LA', 'ok'],
    [checkUldId, 'PMC1234LA', 'ok'],
    [checkUldId, 'AKE123LA', 'uld_format'],
    [checkUldId, 'AKE12345la', 'uppercase'],
    [checkEquipmentTag, 'TUG-07', 'ok'],
    [checkEquipmentTag, 'TU', 'equipment_format'],
    [checkEquipmentTag, 'TUG_07', 'equipment_format'],
  ] as const)('%o %s -> %s', (check, id, expected) => expect(rule(check(id))).toBe(expected));
});

describe('stream id', () => {
  it('splits the entity type from the id at the first dash', () => {
    expect(parseStreamId('shipment-045-12345675')).toEqual({ ok: true, ref: { streamId: 'shipment-045-12345675', entityType: 'shipment', entityId: '045-12345675' } });
    expect(parseStreamId('flight-LA2047-2026-11-22')).toMatchObject({ ok: true, ref: { entityType: 'flight', entityId: 'LA2047-2026-11-22' } });
  });
  it.each([
    ['parcel-1', 'entity_type'],
    ['shipment', 'entity_type'],
    ['Shipment-045-12345675', 'entity_type'],
    ['shipment-045-12345670', 'awb_check_digit'],
  ])('%s -> %s', (id, expected) => expect(rule(parseStreamId(id))).toBe(expected));
});
