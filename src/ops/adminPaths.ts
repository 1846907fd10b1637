// The admin routes in the contract: read-model status, rebuilds and dead letters, for tenant admins
// (their own tenant) and operators (the whole store); partner tokens never reach them.
import { nameSchema as projectionNameSchema } from '../admin/projections';
import { json, ref } from './jsonSchema';
import { ok, operation, pathParam } from './oas';
import type { Collector } from './problems';
import { deadLetterExample, projectionExample } from './readSideSchemas';
import { retentionPaths } from './retentionPaths';

const READ_400 = ['validation_failed'];
const DB = ['database_unavailable'];
const admin = 'Tenant admins see the lag, backlog and dead letters of their own tenant; operators see the whole store.';

export function adminPaths(col: Collector) {
  return {
    '/v1/admin/projections': {
      get: operation(col, {
        id: 'listProjections', tag: 'Admin', scopes: ['tracking:admin', 'tracking:operator'], partner: 'refused',
        summary: 'Read models: generation, lag, outbox backlog, dead letters, rebuild progress',
        description: admin,
        responses: { '200': ok('Every read model', ref('ProjectionList'), { items: [projectionExample] }) },
        problems: { 503: DB },
      }),
    },
    '/v1/admin/projections/{name}': {
      get: operation(col, {
        id: 'getProjection', tag: 'Admin', scopes: ['tracking:admin', 'tracking:operator'], partner: 'refused',
        summary: 'One read model, and the progress of its rebuild',
        description: `${admin} While a rebuild runs, \`rebuild\` shows its checkpoint and progress; afterwards \`lastRebuild\`.`,
        parameters: [pathParam('name', json(projectionNameSchema.shape.name, 'input'), 'the read model (another name is a 400)', 'status')],
        responses: { '200': ok('The read model', ref('ProjectionStatus'), projectionExample) },
        problems: { 400: READ_400, 503: DB },
      }),
    },
    '/v1/admin/projections/{name}/rebuild': {
      post: operation(col, {
        id: 'rebuildProjection', tag: 'Admin', scopes: ['tracking:operator'], partner: 'refused',
        summary: 'Rebuild a read model without downtime',
        description: [
          'Builds a new generation (`<table>__next`) from the gapless global log, page by page through the rebuild queue, while live batches write both generations;',
          'when it has caught up the tables are swapped by rename in one transaction. Queries keep reading the current generation meanwhile.',
          'Follow it at `GET /v1/admin/projections/{name}` (the `Location` header).',
        ].join(' '),
        parameters: [pathParam('name', json(projectionNameSchema.shape.name, 'input'), 'the read model (another name is a 400)', 'status')],
        responses: { '202': ok('Started', ref('RebuildStarted'), { name: 'status', generation: 3, state: 'rebuilding', status: '/v1/admin/projections/status' }, ['Location']) },
        problems: { 400: READ_400, 409: ['rebuild_in_progress', 'unknown_projection'], 503: DB },
      }),
    },
    '/v1/admin/dead-letters': {
      get: operation(col, {
        id: 'listDeadLetters', tag: 'Admin', scopes: ['tracking:admin', 'tracking:operator'], partner: 'refused',
        summary: 'Messages the projections gave up on (newest first)',
        description: `${admin} A message lands here after its retries (the events queue’s dead-letter queue), or at once when it is malformed; unreplayed ones only unless \`includeReplayed=true\`.`,
        parameters: [
          { name: 'includeReplayed', in: 'query', required: false, description: 'list replayed letters too', schema: { type: 'string', enum: ['true', 'false'], default: 'false' } },
          { name: 'limit', in: 'query', required: false, description: 'letters per answer', schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
        ],
        responses: { '200': ok('Dead letters', ref('DeadLetterList'), { items: [deadLetterExample] }) },
        problems: { 400: READ_400, 503: DB },
      }),
    },
    '/v1/admin/dead-letters/{id}/replay': {
      post: operation(col, {
        id: 'replayDeadLetter', tag: 'Admin', scopes: ['tracking:operator'], partner: 'refused',
        summary: 'Send a dead letter again',
        description: 'To the queue it was meant for. Applying is idempotent, so replaying a letter that was applied meanwhile changes nothing. Answers the letter with `replayedAt` and `replays` updated.',
        parameters: [pathParam('id', { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER }, 'the dead letter', 1)],
        responses: { '202': ok('Sent again', ref('DeadLetter'), { ...deadLetterExample, replayedAt: '2026-11-22T11:30:00.000Z', replays: 1 }) },
        problems: { 400: READ_400, 404: ['not_found'], 503: DB },
      }),
    },
    ...retentionPaths(col),
  };
}
