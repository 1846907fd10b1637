// `npm run --silent token -- --tenant <id> [--scope "<scopes>"] [--carriers LA,045] [--ttl <seconds>] [--sub <subject>]`
// Prints a development JWT signed with the key the running `npm start` trusts, and nothing else on
// stdout. It finds that npm start by itself (scripts/instance.ts), whatever PORT and
// TRACKTRACE_DATA_DIR it got; with several running, PORT says which. It never makes a key: a data
// folder without one is an error that says what to set.
// --carriers makes a partner token: a `carriers` claim (the API reads AUTH_CARRIERS_CLAIM) listing
// airline designators (LA) and 3-digit airline prefixes (045); such a token only reads (use
// --scope tracking:read) and sees only entities tied to those codes.
import { parseArgs } from 'node:util';
import { signDevToken } from './devKey.ts';
import { resolveTarget, SetupError } from './instance.ts';

const fail = (message: string): never => {
  console.error(`token: ${message}`);
  process.exit(2);
};

let values;
try {
  ({ values } = parseArgs({
    options: {
      tenant: { type: 'string', default: 'demo' },
      scope: { type: 'string', default: 'tracking:read tracking:write' },
      carriers: { type: 'string' },
      ttl: { type: 'string', default: String(8 * 3600) },
      sub: { type: 'string' },
    },
  }));
} catch (e) {
  fail(e instanceof Error ? e.message : String(e));
}
const ttl = Number(values!.ttl);
if (!Number.isInteger(ttl) || ttl <= 0) fail('--ttl must be a positive whole number of seconds');

// the same rule the API applies to the claim (src/http/auth.ts): 2 letters/digits or 3 digits, at most 50
const CARRIER = /^([A-Z0-9]{2}|\d{3})$/;
let carriers: string[] | undefined;
if (values!.carriers !== undefined) {
  carriers = [...new Set(values!.carriers.split(',').map((c) => c.trim()).filter(Boolean))];
  const bad = carriers.filter((c) => !CARRIER.test(c));
  if (!carriers.length) fail('--carriers needs at least one airline code, e.g. --carriers LA,045');
  if (bad.length) fail(`--carriers: ${bad.join(', ')} ${bad.length === 1 ? 'is not an airline code' : 'are not airline codes'}: use 2-character designators in capitals (LA, G3) or 3-digit prefixes (045), comma-separated`);
  if (carriers.length > 50) fail('--carriers: at most 50 codes');
}

try {
  const target = resolveTarget('token');
  for (const note of target.notes) console.error(`token: note: ${note}`);
  const jwt = await signDevToken({
    tenant: values!.tenant!, scope: values!.scope!, ttlSeconds: ttl, subject: values!.sub, carriers,
    dir: target.dataDir, rules: target.rules, create: false,
  });
  process.stdout.write(jwt + '\n');
} catch (e) {
  if (!(e instanceof SetupError)) throw e;
  fail(e.message);
}
