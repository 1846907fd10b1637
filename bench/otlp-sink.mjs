#!/usr/bin/env node
// A stand-in OpenTelemetry collector for bench/telemetry.sh: accepts OTLP/HTTP JSON on POST /v1/traces,
// counts requests, spans and bytes, and answers 200 {} (what a collector answers to a full success).
// GET /count -> {requests, spans, bytes, bad}. Nothing is stored.
//
//   node bench/otlp-sink.mjs [--port 0] [--port-file FILE]     (listens on 127.0.0.1; 0 = a free port)
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values: a } = parseArgs({ options: { port: { type: 'string', default: '0' }, 'port-file': { type: 'string' } } });
const count = { requests: 0, spans: 0, bytes: 0, bad: 0 };

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/count') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify(count));
  }
  if (req.method !== 'POST' || req.url !== '/v1/traces') {
    res.writeHead(404);
    return res.end();
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    count.requests++;
    count.bytes += body.length;
    try {
      const j = JSON.parse(body.toString('utf8'));
      for (const rs of j.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) count.spans += ss.spans?.length ?? 0;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    } catch {
      count.bad++;
      res.writeHead(400);
      res.end();
    }
  });
});
server.keepAliveTimeout = 30_000;
server.listen(Number(a.port), '127.0.0.1', () => {
  const { port } = server.address();
  if (a['port-file']) writeFileSync(a['port-file'], `${port}\n`);
  console.error(`otlp-sink: listening on 127.0.0.1:${port}`);
});
for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => server.close(() => process.exit(0)).closeAllConnections());
