// Which airline codes an entity is tied to: partners (tokens with a carriers claim) see an entity
// when one of its codes is theirs. Codes are IATA designators (LA) or 3-digit prefixes (045).
import type { EntityType } from '../domain/identifiers';

export const flightCarrier = (flightId: string) => flightId.slice(0, 2);

/** The code in the entity's own id: a flight's airline, an AWB prefix, a bag tag's airline, a ULD's owner. */
export function ownCarrier(entityType: EntityType, entityId: string): string | null {
  switch (entityType) {
    case 'flight':
      return flightCarrier(entityId);
    case 'shipment':
      return entityId.slice(0, 3);
    case 'baggage':
      return entityId.slice(1, 4);
    case 'uld':
      return entityId.slice(-2);
    case 'equipment':
      return null; // the handler's own ground equipment: no partner sees it
  }
}

export function carriersOf(entityType: EntityType, entityId: string, flights: (string | null | undefined)[]): string[] {
  const own = ownCarrier(entityType, entityId);
  return [...new Set([...(own ? [own] : []), ...flights.filter((f): f is string => !!f).map(flightCarrier)])].sort();
}
