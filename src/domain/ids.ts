// zod forms of the identifier rules, for ids that appear inside event data and commands.
import { z } from 'zod';
import { checkAwb, checkBagTag, checkFlightId, checkUldId, type IdCheck } from './identifiers';

const fromCheck = (check: (s: string) => IdCheck, example: string) =>
  z.string().superRefine((s, ctx) => {
    const r = check(s);
    if (!r.ok) ctx.addIssue({ code: 'custom', message: `${r.message} (rule ${r.rule})` });
  }).meta({ example });

export const flightIdSchema = fromCheck(checkFlightId, 'LA2047-2026-11-22');
export const awbSchema = fromCheck(checkAwb, '045-12345675');
export const bagTagSchema = fromCheck(checkBagTag, '0045123456');
export const uldIdSchema = fromCheck(checkUldId, 'AKE12345LA');
