// /docs: Scalar's API reference, rendered in the browser from /openapi.json. Its script is served by
// the Worker (/docs/scalar.js); nothing is loaded from a CDN: no fonts, no telemetry, no AI agent or MCP.
import { version } from './vendor/scalarVersion.js';

const config = {
  url: '/openapi.json',
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  mcp: { disabled: true },
  showDeveloperTools: 'never',
  hideClientButton: false,
  persistAuth: false,
  defaultOpenAllTags: true,
  documentDownloadType: 'json',
  metaData: { title: 'Track & Trace API reference' },
  authentication: { preferredSecurityScheme: 'readToken' },
};

export const docsPage = () => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Track &amp; Trace API reference</title>
<link rel="icon" href="data:,">
<style>body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}</style>
</head>
<body>
<noscript><p>This reference needs JavaScript. The contract itself is at <a href="/openapi.json">/openapi.json</a>.</p></noscript>
<div id="app"></div>
<script src="/docs/scalar.js?v=${encodeURIComponent(version)}"></script>
<script>
  Scalar.createApiReference('#app', Object.assign(${JSON.stringify(config)}, {
    // try requests against the server this page came from
    servers: [{ url: window.location.origin, description: 'this server' }],
  }));
</script>
</body>
</html>
`;
