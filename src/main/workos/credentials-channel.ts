import { randomUUID } from 'node:crypto';
import { BroadcastChannel } from 'node:worker_threads';
import { AppError, type ErrorCode } from '../../shared/errors';

// The plan, import, verify and rollback jobs run in worker threads and their parameters are stored, so the WorkOS API
// key cannot travel as a parameter. The worker asks the main thread over a process-local BroadcastChannel; the main
// thread answers from the OS keychain (or WORKOS_API_KEY) for the workspace it has open. Same pattern as the Auth0
// export (src/main/auth0/export/credentials-channel.ts).

const CHANNEL = 'a2w.workos.credentials';

export interface WorkosJobCredentials {
  environment: string;
  apiKey: string;
  baseUrl?: string;
}

type Message =
  | { type: 'request'; requestId: string; workspaceId: string }
  | {
      type: 'reply';
      requestId: string;
      credentials?: WorkosJobCredentials;
      error?: { code: string; message: string; hint?: string };
    };

/** Main thread: answers requests for the open workspace until the returned function is called. */
export function serveWorkosCredentials(
  workspaceId: () => string | null,
  get: () => Promise<WorkosJobCredentials>,
): () => void {
  const channel = new BroadcastChannel(CHANNEL);
  channel.unref();
  channel.onmessage = (event) => {
    const msg = (event as unknown as { data: Message }).data;
    if (msg?.type !== 'request' || msg.workspaceId !== workspaceId()) return;
    get().then(
      (credentials) =>
        channel.postMessage({ type: 'reply', requestId: msg.requestId, credentials } satisfies Message),
      (err: unknown) => {
        const error =
          err instanceof AppError
            ? err.toJSON()
            : { code: 'credentials_missing', message: 'The WorkOS credentials could not be read.' };
        channel.postMessage({ type: 'reply', requestId: msg.requestId, error } satisfies Message);
      },
    );
  };
  return () => channel.close();
}

/** Worker thread: the credentials of the given workspace, from the main thread. */
export function requestWorkosCredentials(
  workspaceId: string,
  timeoutMs = 15_000,
): Promise<WorkosJobCredentials> {
  const channel = new BroadcastChannel(CHANNEL);
  const requestId = randomUUID();
  return new Promise<WorkosJobCredentials>((resolve, reject) => {
    const timer = setTimeout(() => {
      channel.close();
      reject(
        new AppError(
          'credentials_missing',
          'No WorkOS credentials were handed to the job.',
          'Start or resume it from the app or the command line, which read the API key from the keychain.',
        ),
      );
    }, timeoutMs);
    channel.onmessage = (event) => {
      const msg = (event as unknown as { data: Message }).data;
      if (msg?.type !== 'reply' || msg.requestId !== requestId) return;
      clearTimeout(timer);
      channel.close();
      if (msg.credentials) resolve(msg.credentials);
      else
        reject(
          new AppError(
            (msg.error?.code ?? 'credentials_missing') as ErrorCode,
            msg.error?.message ?? 'No credentials.',
            msg.error?.hint,
          ),
        );
    };
    channel.postMessage({ type: 'request', requestId, workspaceId } satisfies Message);
  });
}
