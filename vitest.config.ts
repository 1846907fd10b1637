import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { unstable_readConfig } from 'wrangler';

process.env.WRANGLER_SEND_METRICS = 'false';
process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';

export const TEST_ISSUER = 'tracktrace-test';
// pure logic (decide/evolve, identifiers, read-model folds) needs no workerd: Node spares each file
// the Worker's import into workerd
const PURE_TESTS = ['test/domain/**/*.test.ts', 'test/readModels/**/*.test.ts', 'test/subscriptions/**/*.test.ts', 'test/ops/**/*.test.ts', 'test/identifiers.test.ts'];
const NODE_TESTS = ['test/**/*.node.test.ts', 'test/**/*.browser.test.ts', ...PURE_TESTS];

// Request limits (src/http/rateLimit.ts) in the tests: wrangler.toml's bindings and periods, with
// limits test/rateLimit.int.test.ts trips in under a second. Each test file runs in its own workerd,
// so counts only its own requests; the busiest (hotPath) sent under 300 in a window under one subject
// and tenant (tenant-a/scanner-7), under 1,000 in its whole run: far from these.
const TEST_RATE_LIMITS: Record<string, number> = { TOKEN_RATE_LIMIT: 1000, TENANT_RATE_LIMIT: 3000 };
const ratelimits = Object.fromEntries(
  (unstable_readConfig({ config: fileURLToPath(new URL('./wrangler.toml', import.meta.url)) }).ratelimits ?? []).map((r: { name: string; simple: { period?: number } }) => [
    r.name,
    { simple: { limit: TEST_RATE_LIMITS[r.name]!, period: r.simple.period } },
  ]),
);

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      main: './src/index.ts',
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          DATABASE_URL: inject('databaseUrl'),
          DB_WS_PROXY: inject('wsProxy'),
          AUTH_JWKS: inject('jwks'),
          AUTH_ISSUER: TEST_ISSUER,
          AUTH_CLOCK_SKEW_S: '3', // small, so expiry (also of remembered tokens) can be tested in seconds
          TEST_SIGNING_KEY: inject('signingKey'),
          TEST_STRANGER_KEY: inject('strangerKey'),
          TEST_CONTROL_URL: inject('controlUrl'),
          OUTBOX_SWEEP_S: '1', // so a lost message is swept within a test's patience
          REBUILD_PAGE: '200', // so a rebuild of the test store takes many pages
          CORS_ORIGINS: 'https://ops.example.com, https://partner.example.org/',
          METRICS_TOKEN: 'test-metrics-token',
          METRICS_FLUSH_S: '0', // each request's counts reach the aggregator right after it
          // spans go to the control server's OTLP stand-in; only traces a test marks sampled are exported
          OTEL_EXPORTER_OTLP_ENDPOINT: `${inject('controlUrl')}/otlp`,
          OTEL_TRACES_SAMPLER_ARG: '0',
          TEST_RATE_LIMITS: JSON.stringify(ratelimits), // what the rate-limit test must trip
        },
        ratelimits,
        // queue.consumer() tests call the Worker's queue handler directly (test-only flag)
        compatibilityFlags: ['service_binding_extra_handlers'],
        // fast local batches and retries; the dead-letter queues as in wrangler.toml
        queueConsumers: {
          'tracktrace-events': { maxBatchSize: 100, maxBatchTimeout: 0.05, maxRetries: 2, retryDelay: 0, deadLetterQueue: 'tracktrace-events-dlq' },
          'tracktrace-events-dlq': { maxBatchSize: 100, maxBatchTimeout: 0.05, maxRetries: 5, retryDelay: 0 },
          'tracktrace-rebuild': { maxBatchSize: 1, maxBatchTimeout: 0.05, maxRetries: 5, retryDelay: 0, deadLetterQueue: 'tracktrace-rebuild-dlq' },
          'tracktrace-rebuild-dlq': { maxBatchSize: 10, maxBatchTimeout: 0.05, maxRetries: 5, retryDelay: 0 },
        },
      },
    })),
  ],
  test: {
    // Each project runs the global setup for itself, so each has its own Postgres: the outage
    // test can stop its database while the others keep theirs.
    globalSetup: ['./test/helpers/globalSetup.ts'],
    testTimeout: 30_000,
    // the Worker's JSON log lines are shown for failing tests only
    silent: 'passed-only',
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'api', include: ['test/**/*.test.ts'], exclude: ['test/outage.int.test.ts', ...NODE_TESTS] } },
      { extends: true, test: { name: 'outage', include: ['test/outage.int.test.ts'] } },
      // in Node, not workerd: pure logic, source scans, and /docs in headless Chromium against `wrangler dev`
      { test: { name: 'node', include: NODE_TESTS, environment: 'node', testTimeout: 120_000, hookTimeout: 120_000 } },
    ],
  },
});
