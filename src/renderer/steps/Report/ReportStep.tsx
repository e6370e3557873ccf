import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { Output } from '../../../shared/contract';
import { asUiError, call, type UiError } from '../../api';
import { Button } from '../../components/Button';
import { ErrorBanner } from '../../components/ErrorBanner';
import { count } from '../../components/format';
import { Notice } from '../../components/Notice';
import { useAnnouncer } from '../../store/announcer';
import { useWizard } from '../../store/wizard';
import '../../styles/workos-steps.css';
import './report.css';

type Report = Output<'report.get'>;
type Cell = string | number | null | undefined;

// The Report step: the migration report rendered from its JSON (React elements only, no HTML from anywhere else),
// and saving it as Markdown or JSON through a save dialog.
export function ReportStep() {
  const refreshWizard = useWizard((s) => s.refresh);
  const announce = useAnnouncer((s) => s.announce);
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const [busy, setBusy] = useState<'md' | 'json' | null>(null);
  const [saved, setSaved] = useState<Output<'report.save'> | null>(null);

  const load = useCallback(async () => {
    try {
      setReport(await call('report.get', {}));
    } catch (err) {
      setError(asUiError(err));
    }
  }, []);
  useEffect(() => {
    let live = true;
    call('report.get', {}).then(
      (v) => live && setReport(v),
      (err: unknown) => live && setError(asUiError(err)),
    );
    return () => {
      live = false;
    };
  }, []);

  const save = async (format: 'md' | 'json') => {
    setBusy(format);
    setError(null);
    try {
      const r = await call('report.save', { format });
      setSaved(r);
      if (r.saved) {
        announce(`Report saved to ${r.path}.`);
        await refreshWizard();
        await load();
      }
    } catch (err) {
      setError(asUiError(err));
    } finally {
      setBusy(null);
    }
  };

  if (!report)
    return (
      <div className="step-body workos-step">
        <ErrorBanner error={error} onDismiss={() => setError(null)} />
        {error ? null : (
          <p className="muted">
            Building the report… If an export or a merge came after the review was computed, the review is
            computed again first (its progress shows in the jobs bar).
          </p>
        )}
      </div>
    );

  const r = report;
  return (
    <div className="step-body workos-step report-step" data-testid="report">
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <section className="card" aria-labelledby="report-title">
        <h3 id="report-title">
          Migration report: {r.workspace.name}
          {r.workspace.rehearsal ? <span className="tag"> REHEARSAL</span> : null}
        </h3>
        <dl className="facts">
          <Fact label="Auth0 tenant" value={r.tenant.auth0Domain} />
          <Fact
            label="WorkOS environment"
            value={r.tenant.workosEnvironment && `${r.tenant.workosEnvironment} (${r.tenant.workosHost})`}
          />
          <Fact label="Generated" value={new Date(r.generatedAt).toLocaleString()} />
          <Fact label="Audit log head hash" value={r.audit.headHash} mono testId="report-audit-head" />
          <Fact
            label="Audit chain"
            value={
              r.audit.chainOk ? `verified (${count(r.audit.entries)} entries)` : `BROKEN: ${r.audit.problem}`
            }
            testId="report-audit-chain"
          />
        </dl>
        <p className="muted">
          Counts, ids and times only: the report holds no email address, password hash or secret.
        </p>
        <div className="actions">
          <Button
            variant="primary"
            busy={busy === 'md'}
            disabled={busy !== null}
            onClick={() => void save('md')}
          >
            Save as Markdown…
          </Button>
          <Button busy={busy === 'json'} disabled={busy !== null} onClick={() => void save('json')}>
            Save as JSON…
          </Button>
        </div>
        {saved?.saved ? (
          <Notice tone="success" title="Report saved">
            <span data-testid="report-saved">
              {saved.format === 'md' ? 'Markdown' : 'JSON'} report written to{' '}
              <span className="mono">{saved.path}</span>.
            </span>
          </Notice>
        ) : saved ? (
          <p className="muted">Not saved: the save dialog was cancelled.</p>
        ) : null}
      </section>

      <Section title="Verification" testId="report-verification">
        {r.verification ? (
          <p className={r.verification.ok ? 'ok' : 'bad'}>
            {r.verification.ok ? 'Passed' : 'FAILED'} {new Date(r.verification.at).toLocaleString()}:{' '}
            {count(r.verification.mismatches)} mismatches, {count(r.verification.passwords.verified)} of{' '}
            {count(r.verification.passwords.checked)} known passwords signed in.
            {r.verification.rolledBackSince ? ' The import was rolled back after this verification.' : ''}
          </p>
        ) : (
          <p className="muted">Not verified yet.</p>
        )}
      </Section>

      <Section title="Timeline">
        <Table
          head={['When', 'Stage', 'What']}
          rows={r.timeline.map((t) => [new Date(t.at).toLocaleString(), t.stage, t.event])}
          testId="report-timeline"
        />
      </Section>

      <Section title="Export completeness">
        <Table
          head={['Entity', 'Exported', 'Expected', 'Complete', 'Note']}
          rows={r.completeness.map((c) => [
            c.entity,
            c.exported,
            c.expected,
            c.complete ? 'yes' : 'NO',
            c.note,
          ])}
        />
      </Section>

      <Section title="Counts at each stage" testId="report-counts">
        <h4>Exported from Auth0</h4>
        <Table head={['Entity', 'Count']} rows={Object.entries(r.stages.exported)} testId="report-exported" />
        <h4>Review</h4>
        <p>Users to migrate: {count(r.stages.review.toMigrate)}.</p>
        <Table head={['Left out because', 'Users']} rows={Object.entries(r.stages.review.skipped ?? {})} />
        <h4>Plan</h4>
        <Matrix m={r.stages.planned} />
        <h4>Import journal</h4>
        <Matrix m={r.stages.imported} />
        <h4>Verification</h4>
        <Matrix m={r.stages.verified} />
      </Section>

      <Section title="Import results" testId="report-import">
        {r.import ? (
          <>
            <p>
              {count(r.import.failed)} failed operations, {count(r.import.linked)} users linked to existing
              WorkOS users, {count(r.import.requests)} requests, {count(r.import.rateLimited)} rate-limited
              answers.
            </p>
            <Table
              head={['Entity', 'Created', 'Repaired', 'Skipped']}
              rows={[
                ...new Set([
                  ...Object.keys(r.import.created),
                  ...Object.keys(r.import.repaired),
                  ...Object.keys(r.import.skipped),
                ]),
              ].map((k) => [
                k,
                r.import!.created[k] ?? 0,
                r.import!.repaired[k] ?? 0,
                r.import!.skipped[k] ?? 0,
              ])}
            />
            {r.import.failures.length ? (
              <Table
                head={['Entity', 'Failure code', 'Count']}
                rows={r.import.failures.map((f) => [f.kind, f.code, f.count])}
              />
            ) : null}
          </>
        ) : (
          <p className="muted">Nothing imported yet.</p>
        )}
      </Section>

      <Section title="What did not move, and why" testId="report-not-moved">
        <Table
          head={['What', 'Count', 'What to do']}
          rows={r.notMoved.map((m) => [m.title, m.count, m.action])}
        />
        <p className="muted">Sessions and refresh tokens do not move: everyone signs in again once.</p>
      </Section>

      <Section title="Findings and decisions">
        <p>
          {r.decisions.signed
            ? `Signed off by ${r.decisions.reviewer} at ${new Date(r.decisions.signedAt!).toLocaleString()}; decisions ${r.decisions.intact ? 'unchanged since' : 'CHANGED SINCE THE SIGN-OFF'}.`
            : 'The review is not signed off.'}
        </p>
        {r.decisions.digest ? (
          <p>
            Decisions digest <span className="mono">{r.decisions.digest}</span>
          </p>
        ) : null}
        <Table
          head={['Severity', 'Finding', 'Count']}
          rows={r.findings.map((f) => [f.severity, f.title, f.count])}
        />
      </Section>

      <Section title="SSO hand-off">
        <p>
          {count(r.sso.handedOff)} of {count(r.sso.enterprise)} enterprise connections handed off;{' '}
          {count(r.sso.linksGenerated)} Admin Portal links generated; {count(r.sso.pendingDomains)} domains
          waiting for verification; {count(r.sso.socialProviders)} social providers to configure (
          {count(r.sso.socialUsers)} users).
        </p>
      </Section>
    </div>
  );
}

function Section({ title, testId, children }: { title: string; testId?: string; children: ReactNode }) {
  const id = `report-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return (
    <section className="card" aria-labelledby={id} data-testid={testId}>
      <h3 id={id}>{title}</h3>
      {children}
    </section>
  );
}

function Fact({
  label,
  value,
  mono,
  testId,
}: {
  label: string;
  value: string | null;
  mono?: boolean;
  testId?: string;
}) {
  return (
    <div>
      <dt>{label}</dt>
      <dd className={mono ? 'mono' : undefined} data-testid={testId}>
        {value ?? '—'}
      </dd>
    </div>
  );
}

function Table({ head, rows, testId }: { head: string[]; rows: Cell[][]; testId?: string }) {
  if (rows.length === 0) return <p className="muted">None.</p>;
  return (
    <table className="data-table" data-testid={testId}>
      <thead>
        <tr>
          {head.map((h) => (
            <th scope="col" key={h}>
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <tr key={i} data-key={String(row[0])}>
            {row.map((c, j) =>
              j === 0 ? (
                <th scope="row" key={j}>
                  {c ?? '—'}
                </th>
              ) : (
                <td key={j}>{typeof c === 'number' ? count(c) : (c ?? '—')}</td>
              ),
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Matrix({ m }: { m: Record<string, Record<string, number>> | null }) {
  if (!m) return <p className="muted">Not done yet.</p>;
  const cols = [...new Set(Object.values(m).flatMap((r) => Object.keys(r)))];
  return (
    <Table
      head={['Entity', ...cols]}
      rows={Object.entries(m).map(([k, r]) => [k, ...cols.map((c) => r[c])])}
    />
  );
}
