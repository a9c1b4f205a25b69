import type { RawClient } from './raw-client.js';

/** Waits until INFO on `admin`'s server counts `n` blocked clients (the commands sent before have run). */
export async function waitBlockedClients(admin: RawClient, n: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if ((await admin.call('INFO', 'clients')).includes(`blocked_clients:${n}\r\n`)) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`never reached blocked_clients:${n}`);
}
