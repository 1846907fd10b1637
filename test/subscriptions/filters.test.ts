// Live subscriptions' pure rules: which tags a change reaches, what matches a filter, what a partner sees.
import { describe, expect, it } from 'vitest';
import { type Change, matches, tagOf, tagsOfChange, visibleTo } from '../../src/subscriptions/filters';

const change = (over: Partial<Change> = {}, status: Partial<Change['status']> = {}): Change => ({
  streamId: 'shipment-045-12345675', entityType: 'shipment', entityId: '045-12345675', version: 2, position: 10,
  event: { type: 'ShipmentStatusRecorded', occurredAt: '2026-11-22T10:00:00.000Z', recordedAt: '2026-11-22T10:00:01.000Z', location: 'LIM/WH2/B-14', data: { code: 'RCS' } },
  status: {
    entityType: 'shipment', entityId: '045-12345675', streamId: 'shipment-045-12345675', status: 'RCS', location: 'LIM/WH2/B-14', airport: 'LIM',
    flight: 'LA2047-2026-11-23', uld: null, pieces: 3, weightKg: 120, carriers: ['045', 'LA'], details: {},
    lastEvent: { type: 'ShipmentStatusRecorded', occurredAt: '2026-11-22T10:00:00.000Z' }, updatedAt: '2026-11-22T10:00:01.000Z', version: 2, ...status,
  },
  ...over,
});

describe('subscription filters', () => {
  it('files a subscription under its most selective filter', () => {
    expect(tagOf({})).toBe('all');
    expect(tagOf({ type: 'shipment', location: 'LIM' })).toBe('location:LIM');
    expect(tagOf({ flight: 'LA2047-2026-11-23', entity: 'shipment/045-12345675' })).toBe('entity:shipment/045-12345675');
  });

  it('sends a change to every prefix of its location, its flight, entity and type', () => {
    expect(tagsOfChange(change()).sort()).toEqual([
      'all', 'entity:shipment/045-12345675', 'flight:LA2047-2026-11-23', 'location:LIM', 'location:LIM/WH2', 'location:LIM/WH2/B-14', 'type:shipment',
    ]);
  });

  it('matches every filter given, and places by whole segments', () => {
    expect(matches({ location: 'LIM/WH2', type: 'shipment' }, change())).toBe(true);
    expect(matches({ location: 'LIM/WH', type: 'shipment' }, change())).toBe(false);
    expect(matches({ location: 'LIM', type: 'baggage' }, change())).toBe(false);
    expect(matches({ flight: 'LA2047-2026-11-23' }, change())).toBe(true);
    expect(matches({ flight: 'LA2047-2026-11-23' }, change({}, { flight: null }))).toBe(false);
  });

  it('shows a partner only what is tied to its carriers, never equipment', () => {
    expect(visibleTo(null, change())).toBe(true);
    expect(visibleTo(['045'], change({}, { carriers: [] }))).toBe(true); // its own AWB prefix
    expect(visibleTo(['LA'], change())).toBe(true); // the linked flight's airline
    expect(visibleTo(['AV'], change())).toBe(false);
    const tug = change({ streamId: 'equipment-TUG-1', entityType: 'equipment', entityId: 'TUG-1' }, { carriers: ['AV'] });
    expect(visibleTo(['AV'], tug)).toBe(false);
    expect(visibleTo(null, tug)).toBe(true);
  });
});
