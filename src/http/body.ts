// Body guard for JSON routes: 415 for another media type, 413 past the size limit, 400 for bad JSON.
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from './problem';

const JSON_TYPE = /^application\/([a-z0-9.-]+\+)?json\s*(;.*)?$/i;

export const jsonBody = (maxBytes: number): MiddlewareHandler => {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError(413, 'payload_too_large', `the body is larger than ${maxBytes} bytes`);
    },
  });
  return async (c, next) => {
    if (!JSON_TYPE.test(c.req.header('content-type') ?? '')) {
      throw new ApiError(415, 'unsupported_media_type', 'send the body as application/json', {}, { accept: 'application/json' });
    }
    await limit(c, async () => {
      try {
        await c.req.json(); // parsed once; the validator reads hono's cached body
      } catch (e) {
        if (e instanceof ApiError) throw e;
        throw new ApiError(400, 'malformed_json', 'the body is not valid JSON');
      }
      await next();
    });
  };
};
