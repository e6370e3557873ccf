import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers } from '../../../src/main/api/handlers';
import { memoryKeychain } from '../../../src/main/secrets/keychain';
import { createAppServices } from '../../../src/main/services';
import type { WorkosSandbox } from '../../../src/main/sandbox/workos';
import { pauseWebhooks, pausedWebhookCount } from '../../../src/main/workos/webhooks';
import { apiFor, sandbox } from './setup';

// Webhooks an import paused are re-enabled when the workspace is next opened, if the process died before it could
// restore them itself.

let dir: string;
let sb: WorkosSandbox;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'a2w-webhooks-'));
  sb = await sandbox();
});
afterAll(async () => {
  await sb?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('paused webhooks after a crash', () => {
  it('are enabled again on the next open of the workspace', async () => {
    const api = apiFor(sb);
    await api.request('POST', '/webhook_endpoints', {
      body: { endpoint_url: 'https://hooks.example/a', events: ['user.created'] },
    });
    await api.request('POST', '/webhook_endpoints', {
      body: { endpoint_url: 'https://hooks.example/b', events: ['user.created'] },
    });

    const services = createAppServices({
      userDataDir: join(dir, 'ud'),
      keychain: memoryKeychain(),
      host: 'harness',
    });
    createHandlers(services);
    try {
      const ws = await services.createWorkspace(dir, 'webhooks');
      await services.credentials.setWorkos(ws, { environment: 'test', baseUrl: sb.baseUrl }, sb.apiKey);
      // As an import leaves things when it is killed after pausing.
      expect(await pauseWebhooks(ws, api, 'plan-x')).toBe(2);
      expect(sb.state().webhookEndpoints.every((w) => w.status === 'disabled')).toBe(true);
      const file = ws.file;
      await services.closeWorkspace();

      const reopened = await services.openWorkspace(file);
      for (let i = 0; i < 100 && pausedWebhookCount(reopened) > 0; i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(pausedWebhookCount(reopened)).toBe(0);
      expect(sb.state().webhookEndpoints.map((w) => w.status)).toEqual(['enabled', 'enabled']);
    } finally {
      await services.close();
    }
  });
});
