import type { ConnectionTest } from '../../../shared/contract';
import type { AppErrorShape } from '../../../shared/errors';
import { Button } from '../../components/Button';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Notice } from '../../components/Notice';
import { useConnection } from '../../store/connection';

interface ConnectionTestCardProps {
  /** Both sides have their settings and secret stored. */
  ready: boolean;
  /** Why the test cannot run yet, when it cannot. */
  notReady: string;
  /** Main says the current settings passed a test earlier (its details were not kept on this page). */
  passedBefore: boolean;
}

// Tests the stored credentials against Auth0 and WorkOS and shows, per side, what was learned or what failed and
// what to do about it. Main writes every message; this only lays them out.
export function ConnectionTestCard({ ready, notReady, passedBefore }: ConnectionTestCardProps) {
  const result = useConnection((s) => s.result);
  const testing = useConnection((s) => s.testing);
  const error = useConnection((s) => s.error);
  const test = useConnection((s) => s.test);

  return (
    <section
      className="card"
      aria-labelledby="test-title"
      data-testid="connection-test"
      aria-busy={testing || undefined}
    >
      <h3 id="test-title">Connection test</h3>
      <p className="muted">
        Fetches an Auth0 Management API token and compares its scopes with what the export needs, and makes
        one authenticated read from WorkOS. Nothing is changed on either side. The Connect step is done once
        both sides pass.
      </p>
      <div className="actions">
        <Button variant="primary" busy={testing} disabled={!ready} onClick={() => void test()}>
          Test connections
        </Button>
        <span className="muted" data-testid="test-state">
          {testing
            ? 'Testing…'
            : !ready
              ? notReady
              : result
                ? `Last tested ${new Date(result.testedAt).toLocaleString()}`
                : passedBefore
                  ? 'These settings passed their last test. Test again to see the details.'
                  : 'Not tested with these settings yet.'}
        </span>
      </div>
      <ErrorBanner error={error} />
      {result ? (
        <div className="test-results">
          <Auth0Result result={result.auth0} />
          <WorkosResult result={result.workos} />
        </div>
      ) : null}
    </section>
  );
}

function Verdict({ side, ok }: { side: string; ok: boolean }) {
  return (
    <p className={`verdict ${ok ? 'ok' : 'bad'}`}>
      <span aria-hidden="true">{ok ? '✓' : '✗'}</span> {side}: {ok ? 'OK' : 'failed'}
    </p>
  );
}

function SideError({ error }: { error: AppErrorShape | undefined }) {
  if (!error) return null;
  return (
    <div className="side-error" data-error-code={error.code}>
      <p className="side-error-message">{error.message}</p>
      {error.hint ? <p className="side-error-hint">{error.hint}</p> : null}
    </div>
  );
}

function Auth0Result({ result }: { result: ConnectionTest['auth0'] }) {
  const required = result.missing.filter((m) => !m.optional);
  const optional = result.missing.filter((m) => m.optional);
  return (
    <div className="test-side" data-testid="test-auth0" data-ok={result.ok}>
      <Verdict side="Auth0" ok={result.ok} />
      <SideError error={result.error} />
      {!result.error ? (
        <details className="granted">
          <summary>
            {result.granted.length} {result.granted.length === 1 ? 'scope' : 'scopes'} granted
          </summary>
          <ul className="scope-list">
            {result.granted.map((s) => (
              <li key={s}>
                <code>{s}</code>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {required.length > 0 ? (
        <div data-testid="missing-scopes">
          <p className="bad">
            Missing {required.length === 1 ? 'scope' : 'scopes'} the export needs. Grant{' '}
            {required.length === 1 ? 'it' : 'them'} to the application under Auth0 Dashboard → Applications →
            APIs → Auth0 Management API → Machine to Machine Applications, then test again:
          </p>
          <ScopeList scopes={required} />
        </div>
      ) : null}
      {optional.length > 0 ? (
        <div data-testid="missing-optional-scopes">
          <p className="muted">Optional scopes not granted (the export runs without them, with less data):</p>
          <ScopeList scopes={optional} />
        </div>
      ) : null}
    </div>
  );
}

function ScopeList({ scopes }: { scopes: ConnectionTest['auth0']['missing'] }) {
  return (
    <ul className="scope-list">
      {scopes.map((m) => (
        <li key={m.scope} data-scope={m.scope}>
          <code>{m.scope}</code>
          {m.optional ? <span className="tag">optional</span> : null} — needed for {m.neededFor}
        </li>
      ))}
    </ul>
  );
}

const environmentNames = {
  production: 'production',
  staging: 'staging (test key)',
  unknown: 'unknown (the key starts with neither sk_live_ nor sk_test_)',
} as const;

function WorkosResult({ result }: { result: ConnectionTest['workos'] }) {
  const report = result.report;
  const count = (c: { firstPage: number; more: boolean }) => `${c.firstPage}${c.more ? '+' : ''}`;
  return (
    <div className="test-side" data-testid="test-workos" data-ok={result.ok}>
      <Verdict side="WorkOS" ok={result.ok} />
      <SideError error={result.error} />
      {report ? (
        <>
          {report.rehearsal ? (
            <p>
              <span className="rehearsal-tag">rehearsal sandbox</span> a local WorkOS sandbox, not a real
              environment.
            </p>
          ) : null}
          {/* Also on a sandbox: a live key stored for a rehearsal is a real production key on this machine. */}
          {report.environment === 'production' ? (
            <div data-testid="production-key">
              <Notice tone="warning" title="Production key">
                This is a live WorkOS API key (sk_live_): it belongs to a production environment, where an
                import changes real users&apos; accounts. Rehearse first (rehearsal mode or a staging key),
                and import into production only with a reviewed plan.
              </Notice>
            </div>
          ) : null}
          <dl className="facts">
            <dt>Host</dt>
            <dd className="path">{report.host}</dd>
            <dt>Environment</dt>
            <dd data-testid="workos-environment">{environmentNames[report.environment]}</dd>
            <dt>Organizations</dt>
            <dd>{count(report.organizations)} already there</dd>
            <dt>Users</dt>
            <dd>{count(report.users)} already there</dd>
            <dt>Roles</dt>
            <dd>
              {report.environmentRoles === null
                ? 'could not be read with this key'
                : report.environmentRoles.length === 0
                  ? 'no environment roles'
                  : report.environmentRoles.join(', ')}
            </dd>
          </dl>
        </>
      ) : null}
    </div>
  );
}
