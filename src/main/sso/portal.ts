import { AppError } from '../../shared/errors';
import type { PortalIntent } from '../../shared/sso-report-contract';
import { redactor } from '../log';
import { createWorkosClient, workosError, workosHost, type WorkosConnection } from '../workos/client';
import type { Workspace } from '../workspace';
import { recordLinkGenerated } from './handoff';
import { workosOrganizationIds } from './organizations';

// Admin Portal links (POST /portal/generate_link through the WorkOS SDK) for an imported organization. A link is a
// bearer secret for the customer's IT admin: it is returned to be shown once, registered with the log redactor, and
// never stored; the workspace keeps only that one was generated, for which organization and intent, and when.

export interface GeneratedPortalLink {
  link: string;
  orgId: string;
  workosOrganizationId: string;
  intent: PortalIntent;
  generatedAt: string;
}

export async function generatePortalLink(
  ws: Workspace,
  conn: WorkosConnection,
  orgId: string,
  intent: PortalIntent,
): Promise<GeneratedPortalLink> {
  ws.assertWritable();
  const workosOrganizationId = workosOrganizationIds(ws).get(orgId);
  if (!workosOrganizationId) {
    const known = ws.db.prepare('SELECT 1 FROM auth0_organizations WHERE org_id = ?').get(orgId);
    throw known
      ? new AppError(
          'not_found',
          `Organization ${orgId} has no WorkOS organization yet.`,
          'Import the organizations first: the Admin Portal link belongs to the WorkOS organization.',
        )
      : new AppError('not_found', `There is no organization ${orgId} in this workspace.`);
  }
  const host = workosHost(conn);
  // One retry at most: the SDK adds an idempotency key, and the admin is waiting for the link.
  const workos = createWorkosClient(conn, { maxRetries: 1, timeoutMs: 30_000 });
  let link: string;
  try {
    ({ link } = await workos.adminPortal.generateLink({ organization: workosOrganizationId, intent }));
  } catch (err) {
    throw workosError(err, host);
  }
  if (typeof link !== 'string' || !/^https?:\/\//.test(link))
    throw new AppError('remote_error', `WorkOS at ${host} answered without an Admin Portal link.`);
  redactor.register(link);
  const token = /[?&](?:secret|token)=([^&#]+)/.exec(link)?.[1];
  redactor.register(token);
  const generatedAt = new Date().toISOString();
  recordLinkGenerated(ws, orgId, workosOrganizationId, intent, generatedAt);
  return { link, orgId, workosOrganizationId, intent, generatedAt };
}
