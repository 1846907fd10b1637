// The operations dashboard (issue 9): a Preact single-page app built into dashboard/dist, which the
// Worker serves as static assets ([assets] in wrangler.toml; the API paths run the Worker first).
// `npm run build:dashboard` builds it; prestart, predev, pretest and deploy run that.
// JSX goes through Vite's own Oxc transform with Preact's runtime: no Babel, no HMR plugin needed
// for a build-only app. Nothing is fetched from a CDN: every byte is in dist/.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  logLevel: 'warn',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsDir: 'assets',
    reportCompressedSize: false,
    chunkSizeWarningLimit: 200,
  },
});
