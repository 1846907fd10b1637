// Operational measurements: given a stream's events → then the samples they produce.
import { describe, expect, it } from 'vitest';
import { measure, type MetricsState, type Sample } from '../../src/projections/metrics/samples';
import type { ProjectionEvent } from '../../src/projections/types';
import { bag, flight, FLIGHT, fsu, ONWARD, scheduled, shipment, statusChange } from './given';

/** All samples of the events, in order, and the state left after them. */
function replay(events: ProjectionEvent[], from: MetricsState | null = null) {
  let state = from;
  const samples: Sample[] = [];
  for (const e of events) {
    const m = measure(state, e);
    state = m.state;
    samples.push(...m.samples);
  }
  return { state, samples };
}

const CUZ_FLIGHT = 'LA2021-2026-11-23';

describe('flight delay', () => {
  it('measures the delay when the flight departs, where it departs', () => {
    const e = flight();
    const { samples } = replay([
      e('FlightScheduled', scheduled('MAD', 'LIM')),
      e('FlightStatusChanged', statusChange('Scheduled', 'Delayed', 45)),
      e('FlightStatusChanged', statusChange('Delayed', 'Departed', 50), { location: 'MAD/GATE/A5', occurredAt: '2026-11-23T00:30:00.000Z' }),
    ]);
    expect(samples).toEqual([{ metric: 'delay', at: '2026-11-23T00:30:00.000Z', value: 50, airport: 'MAD', carriers: ['LA'] }]);
  });

  it('places a departure without location at the origin', () => {
    const e = flight();
    const { samples } = replay([e('FlightScheduled', scheduled('MAD', 'LIM')), e('FlightStatusChanged', statusChange('Boarding', 'Departed'))]);
    expect(samples).toMatchObject([{ metric: 'delay', value: 0, airport: 'MAD' }]);
  });

  it('places a departure nowhere when neither location nor schedule says where', () => {
    const { samples } = replay([flight()('FlightStatusChanged', statusChange('Boarding', 'Departed', 5))]);
    expect(samples).toMatchObject([{ metric: 'delay', value: 5, airport: null }]);
  });

  it('measures nothing for statuses other than a departure', () => {
    const e = flight();
    const { samples } = replay([
      e('FlightStatusChanged', statusChange('Scheduled', 'Delayed', 45)),
      e('FlightStatusChanged', statusChange('Delayed', 'Boarding', 45)),
      e('FlightStatusChanged', statusChange('Departed', 'Arrived', 45)),
    ]);
    expect(samples).toEqual([]);
  });

  it('starts from a null state and remembers the origin', () => {
    expect(measure(null, flight()('FlightScheduled', scheduled('MAD', 'LIM')))).toEqual({ state: { origin: 'MAD' }, samples: [] });
  });
});

describe('turnaround', () => {
  it('measures OnBlock to OffBlock in minutes', () => {
    const e = flight(FLIGHT, { location: 'LIM/STAND/12' });
    const { samples } = replay([
      e('TurnaroundMilestoneRecorded', { milestone: 'OnBlock', at: '2026-11-22T10:00:00.000Z' }, { occurredAt: '2026-11-22T10:00:00.000Z' }),
      e('TurnaroundMilestoneRecorded', { milestone: 'DoorsOpen', at: '2026-11-22T10:04:00.000Z' }, { occurredAt: '2026-11-22T10:04:00.000Z' }),
      e('TurnaroundMilestoneRecorded', { milestone: 'OffBlock', at: '2026-11-22T10:55:30.000Z' }, { occurredAt: '2026-11-22T10:55:30.000Z' }),
    ]);
    expect(samples).toEqual([{ metric: 'turnaround', at: '2026-11-22T10:55:30.000Z', value: 55.5, airport: 'LIM', carriers: ['LA'] }]);
  });

  it('measures no turnaround whose OnBlock it never saw', () => {
    const { samples } = replay([flight()('TurnaroundMilestoneRecorded', { milestone: 'OffBlock', at: '2026-11-22T10:55:00.000Z' })]);
    expect(samples).toEqual([]);
  });
});

describe('cargo dwell', () => {
  it('measures from receipt from the shipper to departure, at the departure airport, for the carriers involved', () => {
    const e = shipment();
    const { samples } = replay([
      e('ShipmentStatusRecorded', fsu('RCS', 3), { location: 'MAD/WH1', occurredAt: '2026-11-22T08:00:00.000Z' }),
      e('ShipmentStatusRecorded', fsu('FOH', 3), { location: 'MAD/WH1', occurredAt: '2026-11-22T08:10:00.000Z' }),
      e('ShipmentStatusRecorded', fsu('DEP', 3, { flight: ONWARD }), { location: 'MAD', occurredAt: '2026-11-22T11:30:00.000Z' }),
    ]);
    expect(samples).toEqual([{ metric: 'cargo_dwell', at: '2026-11-22T11:30:00.000Z', value: 210, airport: 'MAD', carriers: ['045', 'IB'] }]);
  });

  it('a DEP without an RCS gives no sample', () => {
    const e = shipment();
    const { samples } = replay([e('ShipmentStatusRecorded', fsu('BKD', 3)), e('ShipmentStatusRecorded', fsu('DEP', 3, { flight: FLIGHT }), { location: 'MAD' })]);
    expect(samples).toEqual([]);
  });

  it('measures one departure dwell, not one per DEP', () => {
    const e = shipment();
    const { samples } = replay([
      e('ShipmentStatusRecorded', fsu('RCS', 3), { location: 'MAD' }),
      e('ShipmentStatusRecorded', fsu('DEP', 2, { flight: FLIGHT }), { location: 'MAD' }),
      e('ShipmentStatusRecorded', fsu('DEP', 1, { flight: FLIGHT }), { location: 'MAD' }),
    ]);
    expect(samples.map((s) => s.metric)).toEqual(['cargo_dwell']);
  });

  it('measures from the first arrival to the first delivery, once, for split arrivals and deliveries', () => {
    const e = shipment();
    const { samples } = replay([
      e('ShipmentStatusRecorded', fsu('RCF', 3, { flight: FLIGHT }), { location: 'LIM/WH2', occurredAt: '2026-11-23T07:00:00.000Z' }),
      e('ShipmentStatusRecorded', fsu('RCF', 5, { flight: FLIGHT }), { location: 'LIM/WH2', occurredAt: '2026-11-23T08:00:00.000Z' }),
      e('ShipmentStatusRecorded', fsu('DLV', 3), { location: 'LIM/WH2', occurredAt: '2026-11-23T09:00:00.000Z' }),
      e('ShipmentStatusRecorded', fsu('DLV', 2), { location: 'LIM/WH2', occurredAt: '2026-11-23T10:00:00.000Z' }),
    ]);
    expect(samples).toEqual([{ metric: 'cargo_dwell', at: '2026-11-23T09:00:00.000Z', value: 120, airport: 'LIM', carriers: ['045', 'LA'] }]);
  });

  it('a DLV without an RCF gives no sample', () => {
    const e = shipment();
    const { samples } = replay([e('ShipmentStatusRecorded', fsu('RCS', 3), { location: 'LIM' }), e('ShipmentStatusRecorded', fsu('DLV', 3), { location: 'LIM' })]);
    expect(samples).toEqual([]);
  });

  it('a transit shipment\'s delivery dwell starts at its arrival at the delivery airport, not at the transit airport', () => {
    const e = shipment();
    const { samples } = replay([
      e('ShipmentStatusRecorded', fsu('RCS', 3), { location: 'MAD/WH1', occurredAt: '2026-11-22T20:00:00.000Z' }),
      e('ShipmentStatusRecorded', fsu('DEP', 3, { flight: FLIGHT }), { location: 'MAD', occurredAt: '2026-11-22T23:40:00.000Z' }),
      e('ShipmentStatusRecorded', fsu('RCF', 3, { flight: FLIGHT }), { location: 'LIM/WH2', occurredAt: '2026-11-23T07:00:00.000Z' }),
      e('ShipmentStatusRecorded', fsu('DEP', 3, { flight: CUZ_FLIGHT }), { location: 'LIM', occurredAt: '2026-11-23T10:00:00.000Z' }),
      e('ShipmentStatusRecorded', fsu('RCF', 3, { flight: CUZ_FLIGHT }), { location: 'CUZ/WH1', occurredAt: '2026-11-23T12:00:00.000Z' }),
      e('ShipmentStatusRecorded', fsu('DLV', 3), { location: 'CUZ/WH1', occurredAt: '2026-11-23T13:30:00.000Z' }),
    ]);
    expect(samples.map((s) => [s.airport, s.value])).toEqual([
      ['MAD', 220], // RCS → DEP at MAD
      ['CUZ', 90], // RCF at CUZ → DLV at CUZ (not 6 h 30 from the RCF at LIM, which includes the flight to CUZ)
    ]);
  });

  it('a delivery clocked before its arrival counts as no dwell, not negative', () => {
    const e = shipment();
    const { samples } = replay([
      e('ShipmentStatusRecorded', fsu('RCF', 3), { location: 'LIM', occurredAt: '2026-11-23T09:00:00.000Z' }),
      e('ShipmentStatusRecorded', fsu('DLV', 3), { location: 'LIM', occurredAt: '2026-11-23T08:58:00.000Z' }),
    ]);
    expect(samples).toMatchObject([{ metric: 'cargo_dwell', value: 0 }]);
  });
});

describe('baggage', () => {
  const itinerary = () => {
    const e = bag();
    return { e, tag: e('BagTagIssued', { passengerRef: 'PAX-1', flights: [FLIGHT, ONWARD] }) };
  };

  it('counts an accepted bag once and measures acceptance to loading once', () => {
    const { e, tag } = itinerary();
    const { samples, state } = replay([
      tag,
      e('BagScanned', { point: 'Acceptance' }, { location: 'MAD/CHECKIN', occurredAt: '2026-11-22T21:00:00.000Z' }),
      e('BagScanned', { point: 'Acceptance' }, { location: 'MAD/CHECKIN', occurredAt: '2026-11-22T21:05:00.000Z' }),
      e('BagScanned', { point: 'Screened' }, { location: 'MAD', occurredAt: '2026-11-22T21:20:00.000Z' }),
      e('BagScanned', { point: 'Loaded', flight: FLIGHT }, { location: 'MAD/STAND/12', occurredAt: '2026-11-22T21:40:00.000Z' }),
      e('BagScanned', { point: 'Loaded', flight: ONWARD }, { location: 'LIM/STAND/3', occurredAt: '2026-11-23T09:00:00.000Z' }),
    ]);
    expect(samples).toEqual([
      { metric: 'bag_accepted', at: '2026-11-22T21:00:00.000Z', value: 1, airport: 'MAD', carriers: ['045', 'IB', 'LA'] },
      { metric: 'bag_accept_to_load', at: '2026-11-22T21:40:00.000Z', value: 40, airport: 'MAD', carriers: ['045', 'IB', 'LA'] },
    ]);
    expect(state).toEqual({ flights: [FLIGHT, ONWARD], accepted: '2026-11-22T21:00:00.000Z', loaded: true });
  });

  it('measures no loading time for a bag it never saw accepted', () => {
    const { e, tag } = itinerary();
    const { samples } = replay([tag, e('BagScanned', { point: 'Loaded', flight: FLIGHT }, { location: 'MAD' })]);
    expect(samples).toEqual([]);
  });

  it('counts each mishandling, at the airport that reports it', () => {
    const { e, tag } = itinerary();
    const { samples } = replay([tag, e('BagMishandled', { reason: 'Delayed', report: 'LIMLA12345' }, { location: 'LIM', occurredAt: '2026-11-23T10:00:00.000Z' })]);
    expect(samples).toEqual([{ metric: 'bag_mishandled', at: '2026-11-23T10:00:00.000Z', value: 1, airport: 'LIM', carriers: ['045', 'IB', 'LA'] }]);
  });

  it('places a sample of an event without location nowhere', () => {
    const { e } = itinerary();
    expect(replay([e('BagScanned', { point: 'Acceptance' })]).samples).toMatchObject([{ metric: 'bag_accepted', airport: null, carriers: ['045'] }]);
  });
});

describe('purity', () => {
  it('does not change the state it is given', () => {
    const before: MetricsState = Object.freeze({ onBlock: '2026-11-22T10:00:00.000Z', flights: Object.freeze([FLIGHT]) as string[] });
    const e = flight();
    const m = measure(before, e('TurnaroundMilestoneRecorded', { milestone: 'OnBlock', at: '2026-11-22T11:00:00.000Z' }));
    expect(before).toEqual({ onBlock: '2026-11-22T10:00:00.000Z', flights: [FLIGHT] });
    expect(m.state).toEqual({ onBlock: '2026-11-22T11:00:00.000Z', flights: [FLIGHT] });
  });

  it('ignores events it does not measure', () => {
    expect(measure({ origin: 'MAD' }, flight()('EquipmentWashed', {}))).toEqual({ state: { origin: 'MAD' }, samples: [] });
  });
});
