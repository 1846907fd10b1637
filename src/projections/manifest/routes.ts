// GET /v1/flights/{flightId}/manifest: the ULDs on a flight with their shipments and bags, and
// what is loaded loose, with counts and weights from the status read model.
import { Hono } from 'hono';
import { z } from 'zod';
import { pooledDb } from '../../db/pool';
import { flightIdSchema } from '../../domain/ids';
import type { AppEnv } from '../../env';
import { requireScope } from '../../http/auth';
import { entityNotFound } from '../visibility';
import { validate } from '../../http/validate';
import { flightCarrier } from '../carriers';

export const manifestRoutes = new Hono<AppEnv>();

type Row = { item_type: string; item_id: string; uld_id: string | null; linked_by: string; status: string | null; pieces: number | null; weight_kg: number | null; location: string | null };
type Item = { id: string; status: string | null; pieces: number | null; weightKg: number | null; location: string | null };

manifestRoutes.get('/v1/flights/:flightId/manifest', requireScope('tracking:read'), validate('param', z.strictObject({ flightId: flightIdSchema })), async (c) => {
  const { flightId } = c.req.valid('param');
  const p = c.get('principal');
  // a partner sees the manifests of its own flights, and nothing of others'
  if (p.carriers && !p.carriers.includes(flightCarrier(flightId))) throw entityNotFound('flight', flightId);
  const db = pooledDb(c.env, `flight-${flightId}`);
  const [rows, flight] = await Promise.all([
    db.query<Row>(
      `select m.item_type, m.item_id, m.uld_id, m.linked_by, s.status, s.pieces, s.weight_kg, s.location
         from rm_manifest m left join rm_status s on s.tenant_id = m.tenant_id and s.stream_id = m.item_type || '-' || m.item_id
        where m.tenant_id = $1 and m.flight_id = $2 order by m.item_type, m.item_id`,
      [p.tenantId, flightId],
    ),
    db.query<{ status: string | null; details: Record<string, unknown> }>('select status, details from rm_status where tenant_id = $1 and stream_id = $2', [p.tenantId, `flight-${flightId}`]),
  ]);
  if (!rows.length && !flight.length) throw entityNotFound('flight', flightId);
  const item = (r: Row): Item => ({ id: r.item_id, status: r.status, pieces: r.pieces, weightKg: r.weight_kg, location: r.location });
  const ulds = new Map<string, Item & { shipments: Item[]; bags: Item[] }>();
  for (const r of rows.filter((r) => r.item_type === 'uld')) ulds.set(r.item_id, { ...item(r), shipments: [], bags: [] });
  const loose = { shipments: [] as Item[], bags: [] as Item[] };
  for (const r of rows.filter((r) => r.item_type !== 'uld')) {
    const into = (r.uld_id && ulds.get(r.uld_id)) || loose;
    (r.item_type === 'shipment' ? into.shipments : into.bags).push(item(r));
  }
  const shipments = rows.filter((r) => r.item_type === 'shipment');
  return c.json({
    flightId,
    flight: flight[0] ? { status: flight[0].status, ...flight[0].details } : null,
    ulds: [...ulds.values()],
    loose,
    totals: {
      ulds: ulds.size,
      shipments: shipments.length,
      bags: rows.filter((r) => r.item_type === 'baggage').length,
      pieces: shipments.reduce((n, r) => n + (r.pieces ?? 0), 0),
      weightKg: shipments.reduce((n, r) => n + (r.weight_kg ?? 0), 0),
    },
  });
});
