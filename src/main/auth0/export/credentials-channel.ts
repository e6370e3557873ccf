import { randomUUID } from 'node:crypto';
import { BroadcastChannel } from 'node:worker_threads';
import { AppError } from '../../../shared/errors';
import type { Auth0Credentials } from '../client';

// The export runs in a worker thread, and job parameters are stored in the workspace, so the Auth0 client secret
// cannot travel as a parameter. Instead the worker asks the main thread for it over an in-process
// BroadcastChannel (reachable only by threads of this process); the main thread answers from the OS keychain
// (or AUTH0_CLIENT_SECRET) for the workspace it has open.

const CHANNEL = 'a2w.auth0.credentials';

interface Request {
  type: 'request';
  requestId: string;
  workspaceId: string;
}
interface Reply {
  type: 'reply';
  requestId: string;
  credentials?: Auth0Credentials;
  error?: { code: string; message: string; hint?: string };
}

/** Main thread: answers credential requests for one workspace until the returned function is called. */
export function serveAuth0Credentials(
  workspaceId: () => string | null,
  get: () => Promise<Auth0Credentials>,
): () => void {
  const channel = new BroadcastChannel(CHANNEL);
  channel.unref();
  channel.onmessage = (event) => {
    const msg = (event as unknown as { data: unknown }).data as Request | Reply;
    if (msg?.type !== 'request' || msg.workspaceId !== workspaceId()) return;
    get().then(
      (credentials) =>
        channel.postMessage({ type: 'reply', requestId: msg.requestId, credentials } satisfies Reply),
      (err: unknown) => {
        const e =
          err instanceof AppError
            ? err.toJSON()
            : { code: 'credentials_missing', message: 'The Auth0 credentials could not be read.' };
        channel.postMessage({ type: 'reply', requestId: msg.requestId, error: e } satisfies Reply);
      },
    );
  };
  return () => channel.close();
}

/** Worker thread: asks the main thread for the credentials of the given workspace. */
export function requestAuth0Credentials(workspaceId: string, timeoutMs = 15_000): Promise<Auth0Credentials> {
  const channel = new BroadcastChannel(CHANNEL);
  const requestId = randomUUID();
  return new Promise<Auth0Credentials>((resolve, reject) => {
    const timer = setTimeout(() => {
      channel.close();
      reject(
        new AppError(
          'credentials_missing',
          'No Auth0 credentials were handed to the export.',
          'Start or resume the export from the Export step or the export command, which read the secret from the keychain.',
        ),
      );
    }, timeoutMs);
    channel.onmessage = (event) => {
      const msg = (event as unknown as { data: unknown }).data as Request | Reply;
      if (msg?.type !== 'reply' || msg.requestId !== requestId) return;
      clearTimeout(timer);
      channel.close();
      if (msg.credentials) resolve(msg.credentials);
      else
        reject(
          new AppError(
            (msg.error?.code ?? 'credentials_missing') as 'credentials_missing',
            msg.error?.message ?? 'No credentials.',
            msg.error?.hint,
          ),
        );
    };
    channel.postMessage({ type: 'request', requestId, workspaceId } satisfies Request);
  });
}
