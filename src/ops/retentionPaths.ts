// The retention admin routes in the contract (src/admin/retention.ts), and their answers' schemas.
import { z } from 'zod';
import { entityTypeParamSchema, retentionBodySchema, retentionQuerySchema } from '../admin/retention';
import { ENTITY_TYPES } from '../domain/identifiers';
import { EX } from './examples';
import { json, ref } from './jsonSchema';
import { ok, operation, pathParam, queryParams } from './oas';
import { BODY_400, BODY_415, type Collector } from './problems';

const iso = z.iso.datetime();
const duration = z.string().meta({ description: 'ISO 8601 duration (weeks, days, hours, minutes, seconds)', examples: ['P365D'] });

const policySchema = z.object({
  tenantId: z.string(),
  entityType: z.enum(ENTITY_TYPES),
  events: duration.meta({ description: 'how long a stream is kept after its last append' }),
  updatedAt: iso,
  updatedBy: z.string().nullable().meta({ description: 'the token subject that set it' }),
});

const effectiveSchema = z.object({
  tenantId: z.string(),
  entityType: z.enum(ENTITY_TYPES),
  events: duration.meta({ description: 'how long a stream is kept after its last append' }),
  source: z.enum(['tenant', 'default']).meta({ description: 'the tenant’s own policy, or the deployment’s default (RETENTION_EVENTS)' }),
  updatedAt: iso.nullable(),
  updatedBy: z.string().nullable(),
});

const overviewSchema = z.object({
  defaults: z.object({
    events: duration.meta({ description: 'RETENTION_EVENTS: for every (tenant, entity type) without a policy of its own' }),
    snapshots: duration.meta({ description: 'RETENTION_SNAPSHOTS: how long a snapshot of an older state shape is kept' }),
  }),
  policies: z.array(policySchema).meta({ description: 'the tenants’ own policies (a tenant admin sees its tenant’s)' }),
});

export const retentionSchemas = () => {
  const overview = json(overviewSchema);
  overview.properties.policies = { ...overview.properties.policies, items: ref('RetentionPolicy') };
  return {
    RetentionOverview: overview,
    RetentionPolicy: json(policySchema),
    EffectiveRetention: json(effectiveSchema),
    RetentionPolicyRequest: json(retentionBodySchema, 'input'),
  };
};

const policyExample = { tenantId: 'lim-handling', entityType: 'shipment', events: 'P90D', updatedAt: EX.recordedAt, updatedBy: 'ops-lead' };
const effectiveExample = { ...policyExample, source: 'tenant' };

const ABOUT = [
  'Retention archives a whole stream once its last append is older than its tenant’s policy for its entity type (default `RETENTION_EVENTS`, P365D):',
  'a job every minute moves its events to the archive table, drops its snapshot and its status, timeline and (for a flight) manifest rows; metric samples stay.',
  'An archived stream answers 410 `stream_archived` to reads, appends and commands. A stream in use keeps its whole history.',
].join(' ');
const WHO = 'A tenant admin reads and sets its own tenant’s policies; an operator any tenant’s (`tenantId`, default its own). Another tenant’s `tenantId` from a tenant admin is a 403.';
const entityTypeParam = pathParam('entityType', json(entityTypeParamSchema.shape.entityType, 'input'), 'the entity type (another is a 400)', 'shipment');
const DB = ['database_unavailable'];

export function retentionPaths(col: Collector) {
  return {
    '/v1/admin/retention': {
      get: operation(col, {
        id: 'listRetentionPolicies', tag: 'Admin', scopes: ['tracking:admin', 'tracking:operator'], partner: 'refused',
        summary: 'Retention: the defaults and the tenants’ own policies',
        description: `${ABOUT} ${WHO} An operator without \`tenantId\` sees every tenant’s.`,
        parameters: queryParams(retentionQuerySchema),
        responses: { '200': ok('Defaults and policies', ref('RetentionOverview'), { defaults: { events: 'P365D', snapshots: 'P30D' }, policies: [policyExample] }) },
        problems: { 400: ['validation_failed'], 503: DB },
      }),
    },
    '/v1/admin/retention/{entityType}': {
      get: operation(col, {
        id: 'getRetentionPolicy', tag: 'Admin', scopes: ['tracking:admin', 'tracking:operator'], partner: 'refused',
        summary: 'The retention that applies to a tenant’s entity type',
        description: `Its own policy, or the default (\`source\`). ${WHO}`,
        parameters: [entityTypeParam, ...queryParams(retentionQuerySchema)],
        responses: { '200': ok('The policy that applies', ref('EffectiveRetention'), effectiveExample) },
        problems: { 400: ['validation_failed'], 503: DB },
      }),
      put: operation(col, {
        id: 'setRetentionPolicy', tag: 'Admin', scopes: ['tracking:admin', 'tracking:operator'], partner: 'refused',
        summary: 'Set (or remove) a tenant’s retention for an entity type',
        description: [
          ABOUT,
          'Durations are weeks, days, hours, minutes and whole seconds (`P90D`, `P4W`, `PT12H`); years and months have no fixed length and are refused. `events: null` removes the tenant’s own policy.',
          `The next run applies it, so shortening a policy archives what is now past it within minutes; a tenant admin may not go below \`P30D\` (403 \`insufficient_scope\`: an operator can). ${WHO} Answers the policy that applies now.`,
        ].join(' '),
        parameters: [entityTypeParam],
        body: {
          schema: ref('RetentionPolicyRequest'),
          examples: { set: { summary: 'Keep shipments 90 days', value: { events: 'P90D' } }, reset: { summary: 'Back to the default', value: { events: null } } },
        },
        responses: { '200': ok('The policy that applies now', ref('EffectiveRetention'), effectiveExample) },
        problems: { 400: BODY_400, 413: ['payload_too_large'], 415: BODY_415, 422: ['forbidden_key'], 503: DB },
      }),
    },
  };
}
