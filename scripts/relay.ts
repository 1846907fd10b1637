// WebSocket -> TCP relay speaking Neon's wsproxy protocol (`/v2?address=host:port`), so the Neon
// driver inside workerd can reach a plain Postgres. Loopback targets only: it is a dev/test tool.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export async function startRelay(port = 0): Promise<{ port: number; url: string; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false });
  const sockets = new Set<net.Socket>();
  wss.on('connection', (ws, req) => {
    const address = new URL(req.url ?? '/', 'http://relay').searchParams.get('address') ?? '';
    const i = address.lastIndexOf(':');
    const host = address.slice(0, i);
    const targetPort = Number(address.slice(i + 1));
    if (!LOOPBACK.has(host) || !Number.isInteger(targetPort)) return ws.close(1008, 'loopback targets only');
    const tcp = net.connect({ host: host.replace(/^\[|\]$/g, ''), port: targetPort });
    sockets.add(tcp);
    tcp.setNoDelay(true);
    const pending: Buffer[] = [];
    tcp.on('connect', () => { for (const b of pending.splice(0)) tcp.write(b); });
    tcp.on('data', (d) => ws.readyState === ws.OPEN && ws.send(d));
    tcp.on('close', () => { sockets.delete(tcp); ws.close(); });
    tcp.on('error', () => ws.terminate());
    ws.on('message', (d: Buffer) => (tcp.connecting ? pending.push(d) : tcp.write(d)));
    ws.on('close', () => tcp.destroy());
    ws.on('error', () => tcp.destroy());
  });
  await new Promise<void>((resolve, reject) => { wss.once('listening', resolve); wss.once('error', reject); });
  const actual = (wss.address() as AddressInfo).port;
  return {
    port: actual,
    url: `127.0.0.1:${actual}`,
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      for (const c of wss.clients) c.terminate();
      wss.close(() => resolve());
    }),
  };
}
