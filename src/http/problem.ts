// Every error leaves as application/problem+json {type, title, status, detail, code, requestId}.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 410: 'Gone', 412: 'Precondition Failed', 413: 'Payload Too Large', 415: 'Unsupported Media Type',
  422: 'Unprocessable Content', 426: 'Upgrade Required', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

/** The one error type handlers throw; `extra` adds fields such as `errors` or `currentVersion`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

/** A short prefix of text that may echo a client's input. */
export const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max)}…` : s);

export function problemBody(status: number, code: string, detail: string, requestId: string | undefined, extra = {}) {
  return {
    type: `https://tracktrace.dev/problems/${code.replaceAll('_', '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail: clip(detail, 500),
    code,
    requestId,
    ...extra,
  };
}

export function problem(c: Context, e: ApiError): Response {
  const body = problemBody(e.status, e.code, e.message, c.get('requestId'), e.extra);
  c.set('problemCode', e.code);
  return c.body(JSON.stringify(body), e.status as ContentfulStatusCode, {
    'content-type': 'application/problem+json',
    ...e.headers,
  });
}
