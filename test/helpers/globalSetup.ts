// Runs in Node before the workerd tests: a real embedded Postgres (migrated), the WebSocket relay
// the Neon driver needs, signing keys, and a control endpoint to stop/start Postgres.
import { rm } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import type { TestProject } from 'vitest/node';
import { migrateDatabase } from '../../scripts/migrate';
import { freePort, makeTempRoot, startPostgres } from '../../scripts/postgres';
import { startRelay } from '../../scripts/relay';

async function keyPair(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return {
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES256' },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
  };
}

export default async function setup(project: TestProject) {
  // as root, Postgres runs as the `postgres` user: the folder is one it can reach (and the binaries
  // are copied where it can run them when the checkout is in a private folder such as /root)
  const root = await makeTempRoot('tracktrace-test-');
  const pg = await startPostgres({
    dir: path.join(root, 'pg'),
    port: await freePort(),
    database: 'tracktrace_test',
    persistent: true,
    flags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
  });
  try {
    await migrateDatabase(pg.url);
  } catch (e) {
    await pg.stop();
    throw e;
  }
  const relay = await startRelay();
  const trusted = await keyPair('test-key');
  const stranger = await keyPair('test-key'); // same kid, other key: a forged token

  // an OpenTelemetry collector stand-in: OTLP/HTTP JSON in, the spans of one trace out
  const spans: { traceId: string }[] = [];
  const control = http.createServer(async (req, res) => {
    try {
      if (req.url === '/postgres/stop') await pg.stop();
      else if (req.url === '/postgres/start') await pg.start();
      else if (req.method === 'POST' && req.url === '/otlp/v1/traces') {
        let body = '';
        for await (const chunk of req) body += chunk;
        for (const rs of JSON.parse(body).resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans.map((s: object) => ({ ...s, resource: rs.resource })));
      } else if (req.url?.startsWith('/otlp/spans?traceId=')) {
        const id = new URL(req.url, 'http://x').searchParams.get('traceId');
        return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(spans.filter((s) => s.traceId === id)));
      } else return res.writeHead(404).end();
      res.writeHead(204).end();
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  });
  const controlPort = await freePort();
  await new Promise<void>((r) => control.listen(controlPort, '127.0.0.1', r));

  project.provide('databaseUrl', pg.url);
  project.provide('wsProxy', relay.url);
  project.provide('jwks', JSON.stringify({ keys: [trusted.publicJwk] }));
  project.provide('signingKey', JSON.stringify(trusted.privateJwk));
  project.provide('strangerKey', JSON.stringify(stranger.privateJwk));
  project.provide('controlUrl', `http://127.0.0.1:${controlPort}`);

  return async () => {
    control.close();
    await relay.close();
    await pg.stop();
    await rm(root, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    wsProxy: string;
    jwks: string;
    signingKey: string;
    strangerKey: string;
    controlUrl: string;
  }
}
