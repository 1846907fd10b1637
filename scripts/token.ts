// `npm run --silent token -- --tenant <id> --scope "<scopes>" [--ttl <seconds>] [--sub <subject>]`
// Prints a development JWT signed with the local key (the one `npm start` trusts) and nothing else.
import { parseArgs } from 'node:util';
import { signDevToken } from './devKey.ts';

const { values } = parseArgs({
  options: {
    tenant: { type: 'string', default: 'demo' },
    scope: { type: 'string', default: 'tracking:read tracking:write' },
    ttl: { type: 'string', default: String(8 * 3600) },
    sub: { type: 'string' },
  },
});
const ttl = Number(values.ttl);
if (!Number.isInteger(ttl) || ttl <= 0) {
  console.error('token: --ttl must be a positive whole number of seconds');
  process.exit(2);
}
process.stdout.write(
  (await signDevToken({ tenant: values.tenant!, scope: values.scope!, ttlSeconds: ttl, subject: values.sub })) + '\n',
);
