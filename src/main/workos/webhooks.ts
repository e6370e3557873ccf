import type { Workspace } from '../workspace';
import { enc, type WorkosApi } from './api';
import type { LiveWebhook } from './live';

// Webhook endpoints paused for an import. Each one disabled is recorded first (so a crash between the record and the
// PATCH only means one harmless extra "enable"), and every recorded pause is undone at the end of each run and, if the
// process died, when the workspace is next opened.

export async function pauseWebhooks(ws: Workspace, api: WorkosApi, planId: string): Promise<number> {
  const endpoints = await api.listAll<LiveWebhook>('/webhook_endpoints');
  const record = ws.db.prepare(
    `INSERT INTO workos_webhook_pauses (endpoint_id, plan_id, paused_at, restored_at) VALUES (?, ?, ?, NULL)
     ON CONFLICT (endpoint_id) DO UPDATE SET plan_id = excluded.plan_id, paused_at = excluded.paused_at, restored_at = NULL`,
  );
  let n = 0;
  for (const e of endpoints) {
    if (e.status !== 'enabled') continue;
    record.run(e.id, planId, new Date().toISOString());
    await api.request('PATCH', `/webhook_endpoints/${enc(e.id)}`, { body: { status: 'disabled' } });
    n++;
  }
  if (n)
    ws.audit.append({ actor: 'app', action: 'workos.webhooks.paused', details: { planId, endpoints: n } });
  return n;
}

/** Re-enables every endpoint still recorded as paused (of one plan, or of any). */
export async function restoreWebhooks(ws: Workspace, api: WorkosApi, planId?: string): Promise<number> {
  const ids = ws.db
    .prepare(
      'SELECT endpoint_id FROM workos_webhook_pauses WHERE restored_at IS NULL AND (? IS NULL OR plan_id = ?) ORDER BY endpoint_id',
    )
    .pluck()
    .all(planId ?? null, planId ?? null) as string[];
  const done = ws.db.prepare('UPDATE workos_webhook_pauses SET restored_at = ? WHERE endpoint_id = ?');
  let n = 0;
  for (const id of ids) {
    try {
      await api.request('PATCH', `/webhook_endpoints/${enc(id)}`, { body: { status: 'enabled' } });
    } catch (err) {
      // Deleted meanwhile: nothing to restore.
      if ((err as { failure?: { status?: number } }).failure?.status !== 404) throw err;
    }
    done.run(new Date().toISOString(), id);
    n++;
  }
  if (n) ws.audit.append({ actor: 'app', action: 'workos.webhooks.restored', details: { endpoints: n } });
  return n;
}

export function pausedWebhookCount(ws: Workspace): number {
  return ws.db
    .prepare('SELECT count(*) FROM workos_webhook_pauses WHERE restored_at IS NULL')
    .pluck()
    .get() as number;
}
