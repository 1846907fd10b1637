// Body guard for JSON routes, before any validator sees the body:
// 415 for another media type or a charset other than UTF-8, 413 past the size limit, 400 for a body
// cut short, bytes that are not UTF-8, JSON that does not parse, or strings Postgres cannot store
// (NUL, lone surrogates), 422 for keys that name object internals (__proto__, constructor, prototype).
import type { Context, MiddlewareHandler, Next } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from './problem';

const JSON_TYPE = /^application\/([a-z0-9.-]+\+)?json\s*(;.*)?$/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 32;
// eslint-disable-next-line no-control-regex
const NUL = /\u0000/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const jsonBody = (maxBytes: number): MiddlewareHandler => {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError(413, 'payload_too_large', `the body is larger than ${maxBytes} bytes`);
    },
  });
  return async (c, next) => {
    const type = c.req.header('content-type') ?? '';
    if (!JSON_TYPE.test(type)) {
      throw new ApiError(415, 'unsupported_media_type', 'send the body as application/json', {}, { accept: 'application/json' });
    }
    const charset = CHARSET.exec(type)?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      throw new ApiError(415, 'unsupported_charset', 'send the body as UTF-8 (charset=utf-8, or no charset)', {}, { accept: 'application/json; charset=utf-8' });
    }
    let reading = true;
    try {
      await limit(c, async () => {
        const bytes = await c.req.arrayBuffer();
        reading = false;
        await handleJson(c, bytes, next);
      });
    } catch (e) {
      // the client went away or the body stopped short: its problem, not ours (no error log)
      if (reading && !(e instanceof ApiError)) throw new ApiError(400, 'incomplete_body', 'the body could not be read to its end');
      throw e;
    }
  };
};

/** Strict UTF-8, JSON that parses, and strings Postgres can store; then the route's own validation. */
async function handleJson(c: Context, bytes: ArrayBuffer, next: Next) {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ApiError(400, 'invalid_utf8', 'the body is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'malformed_json', 'the body is not valid JSON');
  }
  checkJson(value);
  (c.req.bodyCache as Record<string, unknown>).text = Promise.resolve(text); // hono caches promises; validators parse the checked text
  await next();
}

/** Walks a parsed body without recursion (a deep body must not overflow the stack). */
function checkJson(root: unknown) {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: root, path: '', depth: 0 }];
  while (stack.length) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      checkString(v, path || '(root)');
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_DEPTH) throw new ApiError(400, 'validation_failed', `the body nests deeper than ${MAX_DEPTH} levels`, { errors: [{ path: path || '(root)', message: 'nested too deep' }] });
    for (const [k, child] of Object.entries(v)) {
      const at = path ? `${path}.${k.slice(0, 64)}` : k.slice(0, 64);
      if (!Array.isArray(v)) {
        if (FORBIDDEN_KEYS.has(k)) throw new ApiError(422, 'forbidden_key', `${at}: "${k}" is not accepted as a key`, { errors: [{ path: at, message: 'key not accepted' }] });
        checkString(k, `${at} (key)`);
      }
      stack.push({ v: child, path: at, depth: depth + 1 });
    }
  }
}

function checkString(s: string, path: string) {
  const problem = NUL.test(s) ? 'contains a NUL character (\\u0000)' : LONE_SURROGATE.test(s) ? 'contains a lone UTF-16 surrogate' : null;
  if (problem) throw new ApiError(400, 'validation_failed', `${path}: ${problem}`, { errors: [{ path, message: problem }] });
}
