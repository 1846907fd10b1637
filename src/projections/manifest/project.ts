// The flight manifest read model: what is on each flight, linked across streams by ULD loads and
// unloads, shipment statuses that name a flight, and bag scans at loading.
import { flightCarrier } from '../carriers';
import type { Projection, ProjectionEvent } from '../types';

type Link = { tenant_id: string; flight_id: string; carrier: string; item_type: string; item_id: string; uld_id: string | null; linked_by: string; linked_at: string };
type Change = { link?: Link[]; unloadUld?: { tenant_id: string; uld_id: string } };

/** What one event changes in the manifests (pure). */
export function manifestChange(e: ProjectionEvent): Change {
  const d = e.data;
  const link = (flight: string, itemType: string, itemId: string, uld: string | null): Link => ({
    tenant_id: e.tenantId, flight_id: flight, carrier: flightCarrier(flight), item_type: itemType, item_id: itemId, uld_id: uld, linked_by: e.type, linked_at: e.occurredAt,
  });
  switch (e.type) {
    case 'UldLoaded':
      return {
        unloadUld: { tenant_id: e.tenantId, uld_id: e.entityId }, // a ULD is on one flight at a time
        link: [
          link(d.flight, 'uld', e.entityId, null),
          ...(d.shipments ?? []).map((s: string) => link(d.flight, 'shipment', s, e.entityId)),
          ...(d.bags ?? []).map((b: string) => link(d.flight, 'baggage', b, e.entityId)),
        ],
      };
    case 'UldUnloaded':
      return { unloadUld: { tenant_id: e.tenantId, uld_id: e.entityId } };
    case 'ShipmentStatusRecorded':
      return d.flight ? { link: [link(d.flight, 'shipment', e.entityId, d.uld ?? null)] } : {};
    case 'BagScanned':
      return d.point === 'Loaded' && d.flight ? { link: [link(d.flight, 'baggage', e.entityId, d.uld ?? null)] } : {};
    default:
      return {};
  }
}

export const manifestProjection: Projection = {
  name: 'manifest',
  tables: ['rm_manifest'],
  async apply(db, t, batch) {
    // Links are gathered into one upsert (the last link of an item wins, keeping a known ULD);
    // an unload first writes what came before it, so it removes what the ULD's earlier load linked.
    let pending = new Map<string, Link>();
    const flush = async () => {
      if (!pending.size) return;
      await db.query(
        `insert into ${t('rm_manifest')} (tenant_id, flight_id, carrier, item_type, item_id, uld_id, linked_by, linked_at)
         select * from jsonb_to_recordset($1::jsonb) as x(tenant_id text, flight_id text, carrier text, item_type text, item_id text,
                uld_id text, linked_by text, linked_at timestamptz)
         on conflict (tenant_id, flight_id, item_type, item_id) do update
           set uld_id = coalesce(excluded.uld_id, ${t('rm_manifest')}.uld_id), linked_by = excluded.linked_by, linked_at = excluded.linked_at`,
        [JSON.stringify([...pending.values()])],
      );
      pending = new Map();
    };
    for (const b of batch) {
      for (const e of b.events) {
        const c = manifestChange(e);
        if (c.unloadUld) {
          await flush();
          await db.query(`delete from ${t('rm_manifest')} where tenant_id = $1 and ((item_type = 'uld' and item_id = $2) or uld_id = $2)`, [c.unloadUld.tenant_id, c.unloadUld.uld_id]);
        }
        for (const l of c.link ?? []) {
          const k = `${l.tenant_id}\n${l.flight_id}\n${l.item_type}\n${l.item_id}`;
          const before = pending.get(k);
          pending.set(k, { ...l, uld_id: l.uld_id ?? before?.uld_id ?? null });
        }
      }
    }
    await flush();
  },
};
