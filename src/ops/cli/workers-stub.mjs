// Node has no `cloudflare:workers`: for tools that only build the contract (no Worker runs), it
// resolves to a stub whose classes are never instantiated. Use: node --import ./src/ops/cli/workers-stub.mjs
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier === 'cloudflare:workers') {
    return { url: 'data:text/javascript,export class DurableObject {}; export class WorkerEntrypoint {}; export const env = {};', shortCircuit: true };
  }
  return next(specifier, context);
}`),
);
