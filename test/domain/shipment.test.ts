import { describe, expect, it } from 'vitest';
import { given } from './given';

const status = (code: string, pieces: number, location: string | null = 'LIM', extra = {}) =>
  ({ type: 'ShipmentStatusRecorded', data: { code, pieces, weightKg: pieces * 10, ...extra }, location });

describe('shipment', () => {
  it('accepts a delivery after receipt at that airport', () => {
    const events = given('shipment', [status('RCS', 5, 'MAD'), status('RCF', 5, 'LIM/WH2')])
      .thenEvents('RecordShipmentStatus', { code: 'DLV', pieces: 5, weightKg: 50 }, { location: 'LIM/WH2/B-14' });
    expect(events).toEqual([{ type: 'ShipmentStatusRecorded', data: { code: 'DLV', pieces: 5, weightKg: 50 }, location: 'LIM/WH2/B-14' }]);
  });

  it('rejects delivery of a shipment never received', () => {
    given('shipment', [status('BKD', 5)]).thenRejects('delivery_before_receipt', 'RecordShipmentStatus', { code: 'DLV', pieces: 5, weightKg: 50 }, { location: 'LIM' });
  });

  it('rejects delivery where the shipment was not received', () => {
    given('shipment', [status('RCS', 5, 'MAD')]).thenRejects('delivery_before_receipt', 'RecordShipmentStatus', { code: 'DLV', pieces: 5, weightKg: 50 }, { location: 'LIM' });
  });

  it('rejects delivery without a location', () => {
    given('shipment', [status('RCF', 5)]).thenRejects('location_required', 'RecordShipmentStatus', { code: 'DLV', pieces: 5, weightKg: 50 });
  });

  it('rejects more pieces delivered than received, across split deliveries', () => {
    const g = given('shipment', [status('RCF', 5), status('DLV', 3)]);
    g.thenRejects('delivered_exceeds_received', 'RecordShipmentStatus', { code: 'DLV', pieces: 3, weightKg: 30 }, { location: 'LIM' });
    g.thenEvents('RecordShipmentStatus', { code: 'DLV', pieces: 2, weightKg: 20 }, { location: 'LIM' });
  });

  it('accepts only DIS after full delivery', () => {
    const g = given('shipment', [status('RCF', 5), status('DLV', 5)]);
    g.thenRejects('status_after_delivery', 'RecordShipmentStatus', { code: 'ARR', pieces: 5, weightKg: 50 }, { location: 'LIM' });
    g.thenRejects('status_after_delivery', 'RecordShipmentStatus', { code: 'DLV', pieces: 1, weightKg: 5 }, { location: 'LIM' });
    g.thenEvents('RecordShipmentStatus', { code: 'DIS', pieces: 1, weightKg: 10, discrepancy: 'DMCA' }, { location: 'LIM' });
  });

  it('counts received pieces from RCS and RCF', () => {
    const { state } = given('shipment', [status('RCS', 4, 'MAD'), status('RCF', 4, 'LIM')]);
    expect(state).toMatchObject({ piecesReceived: 4, received: { MAD: 4, LIM: 4 }, delivered: false });
  });

  it('counts pieces received at the airport of the delivery', () => {
    given('shipment', [status('RCS', 10, 'LIM'), status('RCF', 2, 'MIA')])
      .thenRejects('delivered_exceeds_received', 'RecordShipmentStatus', { code: 'DLV', pieces: 10, weightKg: 100 }, { location: 'MIA' });
  });
});
