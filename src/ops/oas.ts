// Operations of the OpenAPI 3.1 document: every /v1 operation gets the same auth, method and
// server problems, shared answers are kept once, and parameters come from the routes' zod schemas.
import { header, type HeaderRef, responseHeaders } from './headers';
import { json } from './jsonSchema';
import { type Collector, problemResponse } from './problems';
import { SCHEME_OF, type Scope } from './security';

/** Problem answers that read alike on every operation that has them. */
const SHARED: Record<string, string> = {
  unauthorized: 'Unauthorized',
  method_not_allowed: 'MethodNotAllowed',
  insufficient_scope: 'Forbidden',
  'insufficient_scope,partner_read_only': 'ForbiddenOrPartner',
  internal_error: 'InternalError',
  auth_unavailable: 'AuthUnavailable',
  'database_unavailable,auth_unavailable': 'ServiceUnavailable',
  rate_limited: 'RateLimited',
};

export type OpSpec = {
  id: string;
  tag: string;
  summary: string;
  description: string;
  /** null: public (no token). Otherwise any one of these scopes is enough. */
  scopes: Scope[] | null;
  /** What a partner token (with the carriers claim) gets. */
  partner?: 'filtered' | 'refused' | 'same';
  parameters?: object[];
  body?: { schema: object; examples: Record<string, { summary: string; value: unknown }>; description?: string };
  responses: Record<string, object>;
  /** Problem codes by status, beyond 401/403/405/500/503 that every /v1 operation gets. */
  problems?: Partial<Record<number, string[]>>;
  /** Notes on a problem status, added to its description. */
  notes?: Partial<Record<number, string>>;
  /** Headers problems of this operation may carry, beyond their status's own. */
  problemHeaders?: HeaderRef[];
  /** false: outside the request rate limits (src/http/rateLimit.ts, on /v1/* after authenticate): live subscriptions, which have their own, and anything secured outside /v1. */
  rateLimited?: false;
};

const PARTNER_TEXT = {
  filtered: 'Partner tokens (with the carriers claim) see only what is tied to their carriers; anything else is a 404, as if it did not exist.',
  refused: 'Partner tokens (with the carriers claim) are refused: 403 `partner_read_only`.',
  same: 'Partner tokens see the same.',
};

export function operation(col: Collector, spec: OpSpec) {
  const secured = spec.scopes !== null;
  const problems: Partial<Record<number, string[]>> = { ...spec.problems };
  if (secured) {
    problems[401] ??= ['unauthorized'];
    problems[403] ??= spec.partner === 'refused' ? ['insufficient_scope', 'partner_read_only'] : ['insufficient_scope'];
    problems[503] = [...new Set([...(problems[503] ?? []), 'auth_unavailable'])];
    if (spec.rateLimited !== false) problems[429] = [...new Set([...(problems[429] ?? []), 'rate_limited'])];
  }
  problems[405] ??= ['method_not_allowed'];
  problems[500] ??= ['internal_error'];
  const scopeText = secured
    ? `\n\n**Scope:** ${spec.scopes!.map((s) => `\`${s}\``).join(' or ')}. ${spec.partner ? PARTNER_TEXT[spec.partner] : ''}`
    : '\n\n**Public:** no token needed.';
  const responses: Record<string, object> = { ...spec.responses };
  for (const [status, codes] of Object.entries(problems).sort(([a], [b]) => Number(a) - Number(b))) {
    const n = Number(status);
    const note = spec.notes?.[n];
    // refused before the route reads anything: no route-specific header
    const extra = [401, 403, 405, 415, 429].includes(n) ? [] : (spec.problemHeaders ?? []);
    const response = problemResponse(col, n, codes!, note, extra);
    const name = !note && !extra.length ? SHARED[codes!.join(',')] : undefined;
    responses[status] = name ? col.shared(name, response) : response;
  }
  return {
    operationId: spec.id,
    tags: [spec.tag],
    summary: spec.summary,
    description: `${spec.description}${scopeText}`,
    security: secured
      ? [...spec.scopes!.map((s) => ({ [SCHEME_OF[s]]: [] })), ...(spec.partner === 'filtered' ? [{ partnerToken: [] }] : [])]
      : [],
    ...(spec.partner ? { 'x-partner-access': spec.partner } : {}),
    parameters: [...(spec.parameters ?? []), header('XRequestId')],
    ...(spec.body
      ? {
          requestBody: {
            required: true,
            ...(spec.body.description ? { description: spec.body.description } : {}),
            content: { 'application/json': { schema: spec.body.schema, examples: spec.body.examples } },
          },
        }
      : {}),
    responses,
  };
}

/** A success answer with a JSON body. */
export const ok = (
  description: string,
  schema: object,
  example: unknown,
  headers: HeaderRef[] = [],
) => ({
  description,
  headers: responseHeaders(headers),
  content: { 'application/json': { schema, example } },
});

export const notModified = () => ({
  description: 'Not Modified: the `If-None-Match` ETag still matches; no body.',
  headers: responseHeaders(['ETag', 'Cache-Control']),
});

export const pathParam = (name: string, schema: object, description: string, example: unknown) => ({
  name, in: 'path', required: true, description, schema, example,
});

/** One parameter per field of a route's query schema; required when the field has no default and is not optional. */
export function queryParams(schema: { shape: Record<string, unknown> }, descriptions: Record<string, string> = {}) {
  return Object.entries(schema.shape).map(([name, s]) => {
    const field = s as Parameters<typeof json>[0];
    const description = descriptions[name] ?? field.description;
    return { name, in: 'query', required: !field.safeParse(undefined).success, ...(description ? { description } : {}), schema: json(field, 'input') };
  });
}

