// Writes the OpenAPI document to a file (or stdout) for the linters (npm run openapi:export).
// Run under tsx with the workers stub: node --import ./src/ops/cli/workers-stub.mjs --import tsx src/ops/cli/export.mjs [file]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { openApiDocument } from '../openapi.ts';

const out = process.argv[2];
const text = `${JSON.stringify(openApiDocument(), null, 2)}\n`;
if (out) {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
  console.log(`wrote ${out}`);
} else process.stdout.write(text);
