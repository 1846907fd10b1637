// Path parameters of the read routes: an entity type and an id that follows its rules.
import { z } from 'zod';
import { checkEntityId, ENTITY_TYPES } from '../domain/identifiers';

export const entityParamSchema = z
  .strictObject({ entityType: z.enum(ENTITY_TYPES), entityId: z.string().max(64) })
  .superRefine((p, ctx) => {
    const r = checkEntityId(p.entityType, p.entityId);
    if (!r.ok) ctx.addIssue({ code: 'custom', path: ['entityId'], message: `${r.message} (rule ${r.rule})` });
  });
