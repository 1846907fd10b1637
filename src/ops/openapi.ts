// OpenAPI 3.1 from the same zod schemas the routes validate with (zod 4's JSON Schema converter),
// the error catalogue (errors.ts) and the event catalog (src/domain). Served at /openapi.json and
// rendered at /docs by Scalar, whose script the Worker serves itself.
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { commandPaths } from './commandPaths';
import { schemas } from './componentSchemas';
import { contractPaths } from './contractPaths';
import { docsPage } from './docsPage';
import { guide, TAGS } from './guide';
import { headerComponents, REQUEST_HEADERS } from './headers';
import { Collector } from './problems';
import { readSidePaths } from './readSideDocs';
import { SECURITY_SCHEMES } from './security';
import { streamPaths } from './streamPaths';

export const LOCAL_SERVER = 'http://127.0.0.1:8787';

export function openApiDocument(origin = LOCAL_SERVER) {
  const col = new Collector();
  const paths = { ...streamPaths(col), ...commandPaths(col), ...readSidePaths(col), ...contractPaths(col) };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Track & Trace API',
      version: '1.0.0',
      summary: 'Events of flights, shipments, bags, ULDs and ground equipment, and the read models built from them.',
      description: guide(),
      contact: { name: 'Track & Trace API team', url: `${origin}/docs` },
      license: { name: 'Proprietary', url: `${origin}/docs` },
    },
    servers: [{ url: origin, description: origin === LOCAL_SERVER ? 'local (`npm start`)' : 'this deployment' }],
    tags: TAGS,
    paths,
    components: {
      securitySchemes: SECURITY_SCHEMES,
      parameters: REQUEST_HEADERS,
      headers: headerComponents(),
      schemas: schemas(),
      responses: Object.fromEntries(col.responses),
      examples: Object.fromEntries([...col.examples].sort(([a], [b]) => a.localeCompare(b))),
    },
  };
}

export const openApiRoutes = new Hono<AppEnv>();

const cached = new Map<string, string>();
openApiRoutes.get('/openapi.json', (c) => {
  const origin = new URL(c.req.url).origin;
  let doc = cached.get(origin);
  if (!doc) {
    doc = JSON.stringify(openApiDocument(origin));
    if (cached.size > 8) cached.clear();
    cached.set(origin, doc);
  }
  return c.body(doc, 200, { 'content-type': 'application/json' });
});

openApiRoutes.get('/docs', (c) => c.html(docsPage()));

openApiRoutes.get('/docs/scalar.js', async (c) => {
  const { default: script } = await import('./vendor/scalarBundle.js');
  return c.body(script, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=3600' });
});
