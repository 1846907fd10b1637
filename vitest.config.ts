import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

process.env.WRANGLER_SEND_METRICS = 'false';
process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';

export const TEST_ISSUER = 'tracktrace-test';
// pure logic (decide/evolve, identifiers, read-model folds) needs no workerd: Node spares each file
// the Worker's import into workerd
const PURE_TESTS = ['test/domain/**/*.test.ts', 'test/readModels/**/*.test.ts', 'test/subscriptions/**/*.test.ts', 'test/identifiers.test.ts'];
const NODE_TESTS = ['test/**/*.node.test.ts', 'test/**/*.browser.test.ts', ...PURE_TESTS];

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
        },
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
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'api', include: ['test/**/*.test.ts'], exclude: ['test/outage.int.test.ts', ...NODE_TESTS] } },
      { extends: true, test: { name: 'outage', include: ['test/outage.int.test.ts'] } },
      // in Node, not workerd: pure logic, source scans, and /docs in headless Chromium against `wrangler dev`
      { test: { name: 'node', include: NODE_TESTS, environment: 'node', testTimeout: 120_000, hookTimeout: 120_000 } },
    ],
  },
});
