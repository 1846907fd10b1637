// Shared by the browser tests (vitest project `node`): where Chromium is, and a free local port.
import { existsSync } from 'node:fs';
import net from 'node:net';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'].find((p) => existsSync(p));

/** Says why a browser test file is skipped when there is no Chromium. */
export function warnIfNoChromium(test: string) {
  if (!CHROMIUM) {
    console.warn(`${test}: SKIPPED — Chromium not found (/usr/bin/chromium; set CHROMIUM_PATH, or \`apt-get install -y chromium\`)`);
  }
}

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
