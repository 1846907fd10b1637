// Problem answers (RFC 9457) as the API gives them: one example per catalogue code, kept once in
// components, and the codes the JSON body guard answers on every route with a body.
import { ERRORS, RULES } from './errors';
import { EX } from './examples';
import { type HeaderName, type HeaderRef, responseHeaders } from './headers';
import { ref } from './jsonSchema';

// what the JSON body guard (src/http/body.ts) answers on every route with a body
export const BODY_400 = ['validation_failed', 'malformed_json', 'invalid_utf8', 'incomplete_body'];
export const BODY_415 = ['unsupported_media_type', 'unsupported_charset'];

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict',
  410: 'Gone', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content', 426: 'Upgrade Required', 429: 'Too Many Requests',
  500: 'Internal Server Error', 503: 'Service Unavailable',
};
export const title = (status: number) => TITLES[status] ?? 'Error';

const PROBLEM_HEADERS: Record<number, HeaderName[]> = {
  401: ['WWW-Authenticate'],
  403: ['WWW-Authenticate'],
  405: ['Allow'],
  415: ['Accept'],
  426: ['Upgrade'],
  429: ['Retry-After'],
  503: ['Retry-After'],
};

/** A problem body of a code, as the API would answer it. */
export function problemExample(code: string) {
  const e = ERRORS[code]!;
  const extra: Record<string, unknown> = {};
  for (const f of e.fields ?? []) {
    if (f === 'errors') extra.errors = [{ path: code === 'validation_failed' ? 'events.0.data.pieces' : 'events.0.type', message: code === 'validation_failed' ? 'Invalid input: expected number, received string' : e.meaning }];
    if (f === 'rule') extra.rule = code === 'invalid_stream_id' || code === 'invalid_entity_id' ? 'awb_check_digit' : code;
    if (f === 'currentVersion') extra.currentVersion = 7;
    if (f === 'eventIds') extra.eventIds = [EX.eventId];
    if (f === 'missing') extra.missing = ['shipment-045-12345675'];
    if (f === 'scope') extra.scope = 'token';
    if (f === 'archivedAt') extra.archivedAt = '2027-11-22T03:00:00.000Z';
  }
  return {
    type: `https://tracktrace.dev/problems/${code.replaceAll('_', '-')}`,
    title: title(e.status),
    status: e.status,
    detail: e.meaning.replace(/^rule: /, ''),
    code,
    requestId: EX.requestId,
    ...extra,
  };
}

/** Every problem example the document refers to, collected as operations are built. */
export class Collector {
  examples = new Map<string, object>();
  responses = new Map<string, object>();
  /** A response many operations answer alike, kept once in components.responses. */
  shared(name: string, response: object) {
    this.responses.set(name, response);
    return { $ref: `#/components/responses/${name}` };
  }
  problem(code: string) {
    const name = `problem.${code}`;
    if (!this.examples.has(name)) this.examples.set(name, { summary: code, value: problemExample(code) });
    return { $ref: `#/components/examples/${name}` };
  }
}

export function problemResponse(col: Collector, status: number, codes: string[], note?: string, extraHeaders: HeaderRef[] = []) {
  if (status === 405) note ??= 'Another method on this path: the path exists, the method does not.';
  for (const c of codes) if (ERRORS[c]?.status !== status) throw new Error(`${c} is not a ${status} code in the catalogue`);
  const list = codes.map((c) => `\`${c}\`: ${RULES[c] ? `rule: ${RULES[c]}` : ERRORS[c]!.meaning}`).join('; ');
  const h = PROBLEM_HEADERS[status];
  return {
    description: `${title(status)}. ${note ? `${note} ` : ''}Codes: ${list}.`,
    headers: responseHeaders([...(h ?? []), ...extraHeaders]),
    content: {
      'application/problem+json': {
        schema: { allOf: [ref('Problem'), { properties: { code: { enum: codes } } }] },
        examples: Object.fromEntries(codes.map((c) => [c, col.problem(c)])),
      },
    },
  };
}
