// Identifier rules of DOMAIN.md. Each check says which rule failed, so a 400 can tell the client why.
export const ENTITY_TYPES = ['flight', 'shipment', 'baggage', 'uld', 'equipment'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export type IdCheck = { ok: true } | { ok: false; rule: string; message: string };

const fail = (rule: string, message: string): IdCheck => ({ ok: false, rule, message });
const OK: IdCheck = { ok: true };

// Shared first pass: the usual ways a scanned or typed id goes wrong, named plainly.
function plainAscii(id: string, what: string): IdCheck {
  if (id.length === 0) return fail('empty', `${what} is empty`);
  if (/\s/.test(id)) return fail('whitespace', `${what} must not contain whitespace`);
  if (/[^\x20-\x7e]/.test(id)) return fail('ascii', `${what} must contain ASCII characters only (no look-alike letters)`);
  if (/[a-z]/.test(id)) return fail('uppercase', `${what} must be upper case`);
  return OK;
}

function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** `{designator}-{yyyy-mm-dd}`, e.g. LA2047-2026-11-22 */
export function checkFlightId(id: string): IdCheck {
  const base = plainAscii(id, 'flight id');
  if (!base.ok) return base;
  const m = /^([A-Z0-9]{2})(\d{1,4})([A-Z]?)-(\d{4}-\d{2}-\d{2})$/.exec(id);
  if (!m) return fail('flight_format', 'flight id must be {airline}{number}[suffix]-{yyyy-mm-dd}, e.g. LA2047-2026-11-22');
  if (/^\d\d$/.test(m[1]!)) return fail('airline_code', 'airline code must contain at least one letter');
  if (!isCalendarDate(m[4]!)) return fail('flight_date', `${m[4]} is not a calendar date`);
  return OK;
}

/** Air waybill `PPP-SSSSSSSC`: the check digit C is the first 7 serial digits mod 7. */
export function checkAwb(id: string): IdCheck {
  const base = plainAscii(id, 'air waybill');
  if (!base.ok) return base;
  const m = /^(\d{3})-(\d{7})(\d)$/.exec(id);
  if (!m) return fail('awb_format', 'air waybill must be PPP-SSSSSSSC: 3-digit prefix, dash, 8 digits');
  const expected = Number(m[2]) % 7;
  if (Number(m[3]) !== expected) return fail('awb_check_digit', `check digit must be ${expected} (serial ${m[2]} mod 7)`);
  return OK;
}

/** 10-digit licence plate: 0 interline, 1 fallback, 2 expedite; 3-digit airline code; 6-digit serial. */
export function checkBagTag(id: string): IdCheck {
  const base = plainAscii(id, 'bag tag');
  if (!base.ok) return base;
  if (!/^\d{10}$/.test(id)) return fail('bag_tag_format', 'bag tag must be 10 digits');
  if (!'012'.includes(id[0]!)) return fail('bag_tag_leading_digit', 'bag tag must start with 0, 1 or 2');
  return OK;
}

/** ULD: 3-letter type, 4-5 digit serial, 2-character owner code, e.g. AKE12345LA. */
export function checkUldId(id: string): IdCheck {
  const base = plainAscii(id, 'ULD id');
  if (!base.ok) return base;
  if (!/^[A-Z]{3}\d{4,5}[A-Z0-9]{2}$/.test(id)) return fail('uld_format', 'ULD id must be 3 letters, 4-5 digits and a 2-character owner code, e.g. AKE12345LA');
  return OK;
}

/** Tenant-defined equipment asset tag. */
export function checkEquipmentTag(id: string): IdCheck {
  const base = plainAscii(id, 'equipment tag');
  if (!base.ok) return base;
  if (!/^[A-Z0-9-]{3,32}$/.test(id)) return fail('equipment_format', 'equipment tag must be 3-32 of A-Z, 0-9 and -');
  return OK;
}

const CHECKS: Record<EntityType, (id: string) => IdCheck> = {
  flight: checkFlightId,
  shipment: checkAwb,
  baggage: checkBagTag,
  uld: checkUldId,
  equipment: checkEquipmentTag,
};

export type StreamRef = { streamId: string; entityType: EntityType; entityId: string };

export function checkEntityId(entityType: EntityType, entityId: string): IdCheck {
  return CHECKS[entityType](entityId);
}

/** `{entityType}-{entityId}` */
export function parseStreamId(streamId: string): { ok: true; ref: StreamRef } | { ok: false; rule: string; message: string } {
  if (streamId.length > 80) return { ok: false, rule: 'stream_id_length', message: 'stream id is longer than 80 characters' };
  const dash = streamId.indexOf('-');
  const entityType = streamId.slice(0, dash) as EntityType;
  if (dash < 0 || !ENTITY_TYPES.includes(entityType)) {
    return { ok: false, rule: 'entity_type', message: `stream id must start with one of ${ENTITY_TYPES.join(', ')} and a dash` };
  }
  const entityId = streamId.slice(dash + 1);
  const check = CHECKS[entityType](entityId);
  return check.ok ? { ok: true, ref: { streamId, entityType, entityId } } : check;
}
