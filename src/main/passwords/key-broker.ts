import { randomUUID } from 'node:crypto';
import { BroadcastChannel } from 'node:worker_threads';
import { AppError } from '../../shared/errors';
import type { PgpKeyInput } from './reader';

// Hands the admin's PGP private key and passphrase from the thread that asked for them (an IPC handler, the CLI) to
// the merge job's worker thread, in memory only. Job parameters are stored in the jobs table, so they carry only a
// random handle; the worker claims the key with it over a process-local BroadcastChannel. An offer is claimed once
// and expires after a few minutes, so nothing lingers in memory. A resumed job gets a fresh offer under its handle.

const CHANNEL = 'a2w.passwords.pgp-key';
const OFFER_TTL_MS = 5 * 60_000;

type Message =
  | { type: 'claim'; handle: string; nonce: string }
  | { type: 'key'; handle: string; nonce: string; key: PgpKeyInput | null };

interface Offer {
  key: PgpKeyInput;
  timer: NodeJS.Timeout;
}

let serving: { channel: BroadcastChannel; offers: Map<string, Offer> } | null = null;

function server() {
  if (serving) return serving;
  const channel = new BroadcastChannel(CHANNEL);
  const offers = new Map<string, Offer>();
  channel.onmessage = (event) => {
    const msg = (event as { data?: Message }).data;
    if (!msg || msg.type !== 'claim') return;
    const offer = offers.get(msg.handle);
    // Another thread's broker may hold the offer: answer only for our own.
    if (!offer) return;
    offers.delete(msg.handle);
    clearTimeout(offer.timer);
    channel.postMessage({
      type: 'key',
      handle: msg.handle,
      nonce: msg.nonce,
      key: offer.key,
    } satisfies Message);
  };
  channel.unref();
  serving = { channel, offers };
  return serving;
}

/** Makes the key available to the job that holds `handle` (a random id stored in its parameters). */
export function offerPgpKey(handle: string, key: PgpKeyInput): void {
  const { offers } = server();
  const old = offers.get(handle);
  if (old) clearTimeout(old.timer);
  const timer = setTimeout(() => offers.delete(handle), OFFER_TTL_MS);
  timer.unref();
  offers.set(handle, { key: { ...key }, timer });
}

export function withdrawPgpKey(handle: string): void {
  const offer = serving?.offers.get(handle);
  if (!offer) return;
  clearTimeout(offer.timer);
  serving!.offers.delete(handle);
}

export function newKeyHandle(): string {
  return randomUUID();
}

/** In the job's worker: fetches the key offered under `handle`. */
export async function claimPgpKey(handle: string, timeoutMs = 5000): Promise<PgpKeyInput> {
  const channel = new BroadcastChannel(CHANNEL);
  const nonce = randomUUID();
  try {
    return await new Promise<PgpKeyInput>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new AppError(
            'credentials_missing',
            'The private key and passphrase for this encrypted file are no longer held in memory (they are never stored).',
            'Start or resume the merge again and give the passphrase.',
          ),
        );
      }, timeoutMs);
      channel.onmessage = (event) => {
        const msg = (event as { data?: Message }).data;
        if (!msg || msg.type !== 'key' || msg.handle !== handle || msg.nonce !== nonce || !msg.key) return;
        clearTimeout(timer);
        resolve(msg.key);
      };
      channel.postMessage({ type: 'claim', handle, nonce } satisfies Message);
    });
  } finally {
    channel.close();
  }
}
