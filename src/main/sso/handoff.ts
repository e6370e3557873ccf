import { AppError } from '../../shared/errors';
import type { PortalIntent, SsoHandoff } from '../../shared/sso-report-contract';
import { connectionFindings } from '../review/findings';
import { iterateWorkosOrganizations } from '../review/mapping';
import { ENTERPRISE_STRATEGIES } from '../sandbox/generator';
import type { Workspace } from '../workspace';
import { importedPlan, workosOrganizationIds } from './organizations';

// The SSO hand-off: what the admin must do in WorkOS for each enterprise connection (per organization, through an
// Admin Portal link the customer's IT admin opens), which social providers to configure in the WorkOS dashboard,
// and which domains wait for verification. Its state (which links were generated when, which connections the
// admin marked handled) is a workspace setting; the links themselves are bearer secrets and are never stored.

const STATE_KEY = 'sso.handoff';

export interface HandoffState {
  /** Auth0 org id -> intent -> when the last link was generated. */
  links: Record<string, Partial<Record<PortalIntent, string>>>;
  /** Auth0 connection id -> when the admin marked it handled (and an optional note). */
  handled: Record<string, { at: string; note: string | null }>;
}

export function handoffState(ws: Workspace): HandoffState {
  const s = ws.getSetting<Partial<HandoffState>>(STATE_KEY);
  return { links: s?.links ?? {}, handled: s?.handled ?? {} };
}

function saveState(ws: Workspace, state: HandoffState): void {
  ws.setSetting(STATE_KEY, state);
}

/** Records that a link was generated (never the link): the setting and an audit entry, in one transaction. */
export function recordLinkGenerated(
  ws: Workspace,
  orgId: string,
  workosOrganizationId: string,
  intent: PortalIntent,
  at: string,
): void {
  ws.db.transaction(() => {
    const state = handoffState(ws);
    state.links[orgId] = { ...state.links[orgId], [intent]: at };
    saveState(ws, state);
    ws.audit.append({
      actor: 'admin',
      action: 'sso.portalLink.generated',
      details: { orgId, workosOrganizationId, intent },
    });
  })();
}

export function markConnectionHandled(
  ws: Workspace,
  connectionId: string,
  handled: boolean,
  note?: string,
): void {
  ws.assertWritable();
  const known = ws.db
    .prepare('SELECT strategy FROM auth0_connections WHERE connection_id = ?')
    .pluck()
    .get(connectionId) as string | undefined;
  if (known === undefined)
    throw new AppError('not_found', `There is no connection ${connectionId} in this workspace.`);
  if (!ENTERPRISE_STRATEGIES.has(known))
    throw new AppError(
      'invalid_input',
      `Connection ${connectionId} is not an enterprise connection; only those need an SSO hand-off.`,
    );
  ws.db.transaction(() => {
    const state = handoffState(ws);
    if (handled) state.handled[connectionId] = { at: new Date().toISOString(), note: note?.trim() || null };
    else delete state.handled[connectionId];
    saveState(ws, state);
    ws.audit.append({ actor: 'admin', action: 'sso.connection.handled', details: { connectionId, handled } });
  })();
}

interface Classified {
  name: string;
  strategy: string;
  protocol: string;
  readiness: 'ready' | 'needs_attention' | 'not_applicable';
  missing: string[];
}

interface ConnectionRow {
  connection_id: string;
  name: string;
  display_name: string | null;
  strategy: string;
  options_json: string | null;
  secret_fields: string | null;
}

const SOCIAL_LABELS: Record<string, string> = {
  'google-oauth2': 'Google',
  windowslive: 'Microsoft',
  github: 'GitHub',
  apple: 'Apple',
  linkedin: 'LinkedIn',
  facebook: 'Facebook',
  twitter: 'X (Twitter)',
  gitlab: 'GitLab',
  bitbucket: 'Bitbucket',
  slack: 'Slack',
  salesforce: 'Salesforce',
};

const text = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

function idpFacts(strategy: string, o: Record<string, unknown>, secretFields: string[]) {
  const tenant = text(o.tenant_domain) ?? text(o.tenant_id);
  return {
    entityId: text(o.entityId),
    ssoUrl: text(o.signInEndpoint),
    metadataUrl: text(o.metadataUrl) ?? text(o.adfs_server),
    certificate: Boolean(
      text(o.signingCert) ?? text(o.cert) ?? (o.thumbprints as unknown[] | undefined)?.length,
    ),
    discoveryUrl:
      text(o.discovery_url) ??
      (strategy === 'waad' && tenant
        ? `https://login.microsoftonline.com/${tenant}/v2.0/.well-known/openid-configuration`
        : null),
    issuer: text(o.issuer),
    clientId: text(o.client_id),
    tenant: strategy === 'waad' ? tenant : null,
    domains: Array.isArray(o.domain_aliases)
      ? ((o.domain_aliases as unknown[]).filter((d) => typeof d === 'string') as string[])
      : [],
    secretFields,
  };
}

/** Everything the SSO step shows, from the workspace alone (no network). */
export function buildHandoff(ws: Workspace): SsoHandoff {
  const classified = new Map(
    ((connectionFindings(ws.db).summary.connections ?? []) as Classified[]).map((c) => [c.name, c]),
  );
  const rows = ws.db
    .prepare(
      'SELECT connection_id, name, display_name, strategy, options_json, secret_fields FROM auth0_connections ORDER BY name',
    )
    .all() as ConnectionRow[];
  const usersOf = ws.db.prepare('SELECT count(*) FROM auth0_users WHERE connection = ?').pluck();
  const orgsOf = ws.db.prepare(
    `SELECT o.org_id, coalesce(o.display_name, o.name) AS name FROM auth0_org_connections oc
     JOIN auth0_organizations o ON o.org_id = oc.org_id WHERE oc.connection_id = ? ORDER BY o.org_id`,
  );
  const workosIds = workosOrganizationIds(ws);
  const state = handoffState(ws);
  const plan = importedPlan(ws);

  const connections: SsoHandoff['connections'] = [];
  const social: SsoHandoff['social'] = [];
  const orgConnections = new Map<string, { name: string; connections: string[] }>();
  for (const r of rows) {
    const c = classified.get(r.name);
    const users = usersOf.get(r.name) as number;
    const enterprise = ENTERPRISE_STRATEGIES.has(r.strategy);
    if (!enterprise) {
      if (c?.protocol === 'social')
        social.push({
          connection: r.name,
          strategy: r.strategy,
          label: SOCIAL_LABELS[r.strategy] ?? r.strategy,
          users,
        });
      continue;
    }
    const protocol = c?.protocol === 'saml' || c?.protocol === 'oidc' ? c.protocol : 'other';
    const options = (r.options_json ? JSON.parse(r.options_json) : {}) as Record<string, unknown>;
    const secretFields = r.secret_fields ? (JSON.parse(r.secret_fields) as string[]) : [];
    const orgs = (orgsOf.all(r.connection_id) as { org_id: string; name: string }[]).map((o) => ({
      orgId: o.org_id,
      name: o.name,
      workosOrganizationId: workosIds.get(o.org_id) ?? null,
      linkGeneratedAt: state.links[o.org_id]?.sso ?? null,
    }));
    for (const o of orgs) {
      const entry = orgConnections.get(o.orgId) ?? { name: o.name, connections: [] };
      entry.connections.push(r.name);
      orgConnections.set(o.orgId, entry);
    }
    const handled = state.handled[r.connection_id] ?? null;
    const missing =
      protocol === 'other' ? ['no SAML or OIDC equivalent in WorkOS'] : (c?.missing ?? ['options']);
    connections.push({
      connectionId: r.connection_id,
      name: r.name,
      displayName: r.display_name,
      strategy: r.strategy,
      protocol,
      readiness: missing.length ? 'needs_attention' : 'ready',
      missing,
      idp: idpFacts(r.strategy, options, secretFields),
      users,
      organizations: orgs,
      handled,
      handedOff: handled !== null || (orgs.length > 0 && orgs.every((o) => o.linkGeneratedAt !== null)),
    });
  }

  const organizations: SsoHandoff['organizations'] = [];
  for (const o of iterateWorkosOrganizations(ws)) {
    const pendingDomains = o.domains.filter((d) => d.state === 'pending').map((d) => d.domain);
    const conns = orgConnections.get(o.sourceOrgId);
    if (!conns && pendingDomains.length === 0) continue;
    organizations.push({
      orgId: o.sourceOrgId,
      name: o.name,
      workosOrganizationId: workosIds.get(o.sourceOrgId) ?? null,
      connections: conns?.connections ?? [],
      pendingDomains,
      links: {
        sso: state.links[o.sourceOrgId]?.sso ?? null,
        domain_verification: state.links[o.sourceOrgId]?.domain_verification ?? null,
      },
    });
  }

  const handedOff = connections.filter((c) => c.handedOff).length;
  const linksGenerated = Object.values(state.links).reduce((n, l) => n + Object.keys(l).length, 0);
  return {
    environment: plan?.environment ?? null,
    host: plan?.host ?? null,
    imported: workosIds.size > 0,
    connections,
    organizations,
    social,
    summary: {
      enterprise: connections.length,
      handedOff,
      linksGenerated,
      pendingDomains: organizations.reduce((n, o) => n + o.pendingDomains.length, 0),
      socialUsers: social.reduce((n, s) => n + s.users, 0),
    },
    done: handedOff === connections.length,
  };
}

/** The wizard's done-condition: every enterprise connection has a hand-off (cheap enough for every status call). */
export function ssoHandedOff(ws: Workspace): boolean {
  const enterprise = ws.db
    .prepare(
      `SELECT connection_id FROM auth0_connections WHERE strategy IN (${[...ENTERPRISE_STRATEGIES].map(() => '?').join(', ')})`,
    )
    .pluck()
    .all(...ENTERPRISE_STRATEGIES) as string[];
  if (enterprise.length === 0) return true;
  const state = handoffState(ws);
  const orgsOf = ws.db.prepare('SELECT org_id FROM auth0_org_connections WHERE connection_id = ?').pluck();
  return enterprise.every((id) => {
    if (state.handled[id]) return true;
    const orgs = orgsOf.all(id) as string[];
    return orgs.length > 0 && orgs.every((o) => Boolean(state.links[o]?.sso));
  });
}
