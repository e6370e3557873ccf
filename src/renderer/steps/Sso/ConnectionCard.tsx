import { useId, useState } from 'react';
import { Button } from '../../components/Button';
import { count } from '../../components/format';
import { LinkBox, linkKey, type Handoff, type ShownLinks } from './LinkBox';

type Connection = Handoff['connections'][number];

interface ConnectionCardProps {
  connection: Connection;
  canLink: boolean;
  readOnly: boolean;
  links: ShownLinks;
  onLink(org: Connection['organizations'][number]): void;
  onMark(handled: boolean, note?: string): void;
}

// One enterprise connection: the IdP facts WorkOS needs, an Admin Portal link per organization it is enabled for,
// and a way to mark it handled when the admin configured it another way (or it serves no organization).
export function ConnectionCard({
  connection: c,
  canLink,
  readOnly,
  links,
  onLink,
  onMark,
}: ConnectionCardProps) {
  const [note, setNote] = useState('');
  const titleId = useId();
  const f = c.idp;
  const facts: [string, string | null][] = [
    ['IdP entity id', f.entityId],
    ['IdP SSO URL', f.ssoUrl],
    ['Metadata URL', f.metadataUrl],
    ['Signing certificate', f.certificate ? 'present' : 'missing'],
    ['Discovery URL', f.discoveryUrl],
    ['Issuer', f.issuer],
    ['Client id', f.clientId],
    ['Azure AD tenant', f.tenant],
    ['Domains', f.domains.join(', ') || null],
    ['Secrets in the workspace (encrypted)', f.secretFields.join(', ') || null],
  ];
  return (
    <section
      className="card sso-connection"
      aria-labelledby={titleId}
      data-testid="sso-connection"
      data-connection={c.name}
      data-handed-off={c.handedOff}
    >
      <div className="card-head">
        <h3 id={titleId}>
          {c.displayName ?? c.name} <span className="tag">{c.protocol.toUpperCase()}</span>{' '}
          <span className="muted mono">{c.strategy}</span>
        </h3>
        <span className={`state-pill ${c.handedOff ? 'state-ready' : 'state-blocked'}`}>
          {c.handedOff ? 'Handed off' : 'To hand off'}
        </span>
      </div>
      <dl className="facts">
        {facts
          .filter(([k, v]) => v !== null && (k !== 'Signing certificate' || c.protocol === 'saml'))
          .map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd className="mono">{v}</dd>
            </div>
          ))}
        <div>
          <dt>Users signing in through it</dt>
          <dd>{count(c.users)}</dd>
        </div>
      </dl>
      {c.missing.length ? (
        <p className="bad" data-testid="sso-missing">
          Needs attention: {c.missing.join('; ')}
        </p>
      ) : null}
      {c.organizations.length ? (
        <table className="data-table" aria-label={`Organizations using ${c.name}`}>
          <thead>
            <tr>
              <th scope="col">Organization</th>
              <th scope="col">WorkOS organization</th>
              <th scope="col">Admin Portal link (SSO)</th>
            </tr>
          </thead>
          <tbody>
            {c.organizations.map((o) => {
              const shown = links[linkKey(o.orgId, 'sso')];
              return (
                <tr key={o.orgId} data-org={o.orgId}>
                  <th scope="row">{o.name}</th>
                  <td className="mono">{o.workosOrganizationId ?? 'not imported'}</td>
                  <td>
                    {shown ? (
                      <LinkBox link={shown} label={`Admin Portal link for ${o.name}`} />
                    ) : (
                      <>
                        {o.linkGeneratedAt ? (
                          <span className="muted">
                            Generated {new Date(o.linkGeneratedAt).toLocaleString()}{' '}
                          </span>
                        ) : null}
                        <Button
                          variant={o.linkGeneratedAt ? 'secondary' : 'primary'}
                          disabled={!canLink || !o.workosOrganizationId}
                          onClick={() => onLink(o)}
                        >
                          {o.linkGeneratedAt ? 'New link…' : 'Generate link…'}
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
        <p className="muted">
          Enabled for no organization in Auth0: decide where it belongs, then mark it handled.
        </p>
      )}
      {c.handled ? (
        <div className="actions">
          <span>
            Marked handled {new Date(c.handled.at).toLocaleString()}
            {c.handled.note ? `: ${c.handled.note}` : ''}
          </span>
          <Button disabled={readOnly} onClick={() => onMark(false)}>
            Remove mark
          </Button>
        </div>
      ) : c.handedOff ? null : (
        <div className="actions">
          <label className="sr-only" htmlFor={`${titleId}-note`}>
            Note for {c.name}
          </label>
          <input
            id={`${titleId}-note`}
            placeholder="How it was handled (optional)"
            value={note}
            maxLength={500}
            onChange={(e) => setNote(e.target.value)}
            disabled={readOnly}
          />
          <Button disabled={readOnly} onClick={() => onMark(true, note)}>
            Mark handled
          </Button>
        </div>
      )}
    </section>
  );
}
