import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

process.env.WRANGLER_SEND_METRICS = 'false';
process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';

export const TEST_ISSUER = 'tracktrace-test';

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
      { extends: true, test: { name: 'api', include: ['test/**/*.test.ts'], exclude: ['test/outage.int.test.ts'] } },
      { extends: true, test: { name: 'outage', include: ['test/outage.int.test.ts'] } },
    ],
  },
});
