import { useCallback, useEffect, useState } from 'react';
import { asUiError, call, type UiError } from '../../api';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorBanner } from '../../components/ErrorBanner';
import { count } from '../../components/format';
import { Notice } from '../../components/Notice';
import { useAnnouncer } from '../../store/announcer';
import { useWizard } from '../../store/wizard';
import { ConnectionCard } from './ConnectionCard';
import { ExportFiles } from './ExportFiles';
import { LinkBox, linkKey, type Handoff, type LinkRequest, type ShownLinks } from './LinkBox';
import '../../styles/workos-steps.css';
import './sso.css';

// The SSO step: per enterprise connection, the IdP facts and an Admin Portal link per organization for the
// customer's IT admin (a confirmed write to WorkOS; the link is shown once and never stored), or a mark that the
// admin handled it another way; social providers to configure in the WorkOS dashboard; domains to verify; and the
// hand-off files in WorkOS's CLI format.
export function SsoStep() {
  const workspace = useWizard((s) => s.workspace);
  const refreshWizard = useWizard((s) => s.refresh);
  const announce = useAnnouncer((s) => s.announce);
  const [handoff, setHandoff] = useState<Handoff | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const [asking, setAsking] = useState<LinkRequest | null>(null);
  const [busy, setBusy] = useState(false);
  const [links, setLinks] = useState<ShownLinks>({});
  const readOnly = workspace?.readOnly ?? false;

  const load = useCallback(async () => {
    try {
      setHandoff(await call('sso.handoff', {}));
    } catch (err) {
      setError(asUiError(err));
    }
  }, []);
  useEffect(() => {
    let live = true;
    call('sso.handoff', {}).then(
      (v) => live && setHandoff(v),
      (err: unknown) => live && setError(asUiError(err)),
    );
    return () => {
      live = false;
    };
  }, []);

  const generate = async () => {
    if (!asking) return;
    setBusy(true);
    setError(null);
    try {
      const l = await call('sso.generateLink', { orgId: asking.orgId, intent: asking.intent, confirm: true });
      setLinks((s) => ({ ...s, [linkKey(l.orgId, l.intent)]: l.link }));
      announce(`Admin Portal link generated for ${asking.name}.`);
      setAsking(null);
      await load();
      await refreshWizard();
    } catch (err) {
      setError(asUiError(err));
      setAsking(null);
    } finally {
      setBusy(false);
    }
  };

  const markHandled = async (connectionId: string, handled: boolean, note?: string) => {
    setError(null);
    try {
      setHandoff(
        await call('sso.markHandled', {
          connectionId,
          handled,
          ...(note?.trim() ? { note: note.trim() } : {}),
        }),
      );
      announce(handled ? 'Marked handled.' : 'Mark removed.');
      await refreshWizard();
    } catch (err) {
      setError(asUiError(err));
    }
  };

  if (!handoff)
    return (
      <div className="step-body workos-step">
        <ErrorBanner error={error} onDismiss={() => setError(null)} />
        {error ? null : <p className="muted">Reading the connections…</p>}
      </div>
    );

  const s = handoff.summary;
  const canLink = handoff.imported && !readOnly;
  const pending = handoff.organizations.filter((o) => o.pendingDomains.length);
  return (
    <div className="step-body workos-step sso-step">
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <section
        className="card"
        aria-labelledby="sso-summary-title"
        data-testid="sso-summary"
        data-done={handoff.done}
      >
        <h3 id="sso-summary-title">Hand-off</h3>
        <p data-testid="sso-progress">
          <strong>
            {count(s.handedOff)} of {count(s.enterprise)}
          </strong>{' '}
          enterprise connections handed off
          {handoff.environment ? (
            <>
              {' '}
              for WorkOS environment <strong>{handoff.environment}</strong>
            </>
          ) : null}
          . {count(s.linksGenerated)} Admin Portal links generated so far.
        </p>
        <p className="muted">
          WorkOS recreates each SAML or OIDC connection per organization. An Admin Portal link lets the
          customer&apos;s IT admin enter their identity provider&apos;s details themselves. Links are bearer
          secrets: each is shown here once, is not stored, and expires; send it only to that
          organization&apos;s IT admin.
        </p>
        {!handoff.imported ? (
          <Notice tone="info" title="Import first">
            Admin Portal links belong to WorkOS organizations: generate them once the import has created them.
          </Notice>
        ) : null}
        {handoff.done ? <Notice tone="success">Every enterprise connection has a hand-off.</Notice> : null}
      </section>

      {handoff.connections.length === 0 ? (
        <Notice tone="info">The tenant has no enterprise connections.</Notice>
      ) : (
        handoff.connections.map((c) => (
          <ConnectionCard
            key={c.connectionId}
            connection={c}
            canLink={canLink}
            readOnly={readOnly}
            links={links}
            onLink={(org) => setAsking({ orgId: org.orgId, name: org.name, intent: 'sso' })}
            onMark={(handled, note) => void markHandled(c.connectionId, handled, note)}
          />
        ))
      )}

      <section className="card" aria-labelledby="sso-social-title">
        <h3 id="sso-social-title">Social providers to configure in the WorkOS dashboard</h3>
        {handoff.social.length ? (
          <table className="data-table" data-testid="sso-social">
            <thead>
              <tr>
                <th scope="col">Provider</th>
                <th scope="col">Auth0 connection</th>
                <th scope="col">Users who sign in with it</th>
              </tr>
            </thead>
            <tbody>
              {handoff.social.map((p) => (
                <tr key={p.connection}>
                  <th scope="row">{p.label}</th>
                  <td className="mono">{p.connection}</td>
                  <td>{count(p.users)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted">None.</p>
        )}
        <p className="muted">
          Use your own OAuth client for each provider in WorkOS; users keep signing in with it and are linked
          by email.
        </p>
      </section>

      <section className="card" aria-labelledby="sso-domains-title">
        <h3 id="sso-domains-title">Domains to verify</h3>
        {pending.length ? (
          <table className="data-table" data-testid="sso-domains">
            <thead>
              <tr>
                <th scope="col">Organization</th>
                <th scope="col">Pending domains</th>
                <th scope="col">Domain verification link</th>
              </tr>
            </thead>
            <tbody>
              {pending.map((o) => {
                const shown = links[linkKey(o.orgId, 'domain_verification')];
                return (
                  <tr key={o.orgId} data-org={o.orgId}>
                    <th scope="row">{o.name}</th>
                    <td>{o.pendingDomains.join(', ')}</td>
                    <td>
                      {shown ? (
                        <LinkBox link={shown} label={`Domain verification link for ${o.name}`} />
                      ) : (
                        <>
                          {o.links.domain_verification ? (
                            <span className="muted">
                              Generated {new Date(o.links.domain_verification).toLocaleString()}{' '}
                            </span>
                          ) : null}
                          <Button
                            disabled={!canLink || !o.workosOrganizationId}
                            onClick={() =>
                              setAsking({ orgId: o.orgId, name: o.name, intent: 'domain_verification' })
                            }
                          >
                            {o.links.domain_verification ? 'New link…' : 'Generate link…'}
                          </Button>
                        </>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : (
          <p className="muted">No domain waits for verification.</p>
        )}
      </section>

      <ExportFiles onError={setError} />

      <ConfirmDialog
        open={asking !== null}
        title={`Generate an Admin Portal link for ${asking?.name ?? ''}?`}
        confirmLabel="Generate link"
        busy={busy}
        testId="portal-confirm"
        onConfirm={() => void generate()}
        onCancel={() => setAsking(null)}
      >
        <p>
          This asks WorkOS environment <strong>{handoff.environment}</strong> ({handoff.host}) for an Admin
          Portal link with intent <strong>{asking?.intent === 'sso' ? 'SSO' : 'domain verification'}</strong>.
        </p>
        <p>
          Whoever holds the link can configure this organization&apos;s{' '}
          {asking?.intent === 'sso' ? 'SSO' : 'domains'} until it expires. It is shown once and never stored
          or logged.
        </p>
      </ConfirmDialog>
    </div>
  );
}
