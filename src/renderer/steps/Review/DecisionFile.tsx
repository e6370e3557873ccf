import { useEffect, useState } from 'react';
import type { DecisionFilePreviewView, ReviewSummaryView } from '../../../shared/review-contract';
import { asUiError, call, type UiError } from '../../api';
import { Button } from '../../components/Button';

// The signed decision file, both ends. In a reviewer's copy: export the decisions and sign-off as a file signed
// with this account's key (its fingerprint shown, to be told to the admin). In the original workspace: choose
// a file, see who signed it with which key and what it changes, type the fingerprint the reviewer gave, apply.

export function saveText(fileName: string, text: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  URL.revokeObjectURL(url);
}

interface Props {
  summary: ReviewSummaryView;
  reviewer: string;
  busy: boolean;
  writable: boolean;
  onError: (e: UiError) => void;
  onApplied: (s: ReviewSummaryView, message: string) => void;
}

export function DecisionFile({ summary, reviewer, busy, writable, onError, onApplied }: Props) {
  const copy = summary.access?.reviewCopy ?? null;
  const [fingerprint, setFingerprint] = useState<string | null>(null);
  const [exported, setExported] = useState<string | null>(null);
  const [text, setText] = useState<string | null>(null);
  const [preview, setPreview] = useState<DecisionFilePreviewView | null>(null);
  const [confirmed, setConfirmed] = useState('');
  const [working, setWorking] = useState(false);

  useEffect(() => {
    if (!copy) return;
    call('review.reviewerKey', {})
      .then((k) => setFingerprint(k.fingerprint))
      .catch((e: unknown) => onError(asUiError(e)));
  }, [copy, onError]);

  if (!copy && !writable) return null;

  const run = async (fn: () => Promise<void>) => {
    setWorking(true);
    try {
      await fn();
    } catch (e) {
      onError(asUiError(e));
    } finally {
      setWorking(false);
    }
  };

  if (copy) {
    return (
      <section className="card" aria-labelledby="review-decision-file">
        <h3 id="review-decision-file">Decisions for the admin</h3>
        <p>
          This is a review copy of <strong>{copy.workspaceName}</strong> (saved {copy.savedAt}). Your
          decisions and sign-off stay in this copy; export them as a signed decision file and send it to the
          admin.
        </p>
        <p data-testid="reviewer-fingerprint">
          Your signing key: <code>{fingerprint ?? '…'}</code>. Tell the admin this fingerprint by another
          channel than the file (a call, a ticket): they check it before applying.
        </p>
        <div className="actions">
          <Button
            variant="primary"
            disabled={busy || working || !reviewer.trim()}
            busy={working}
            onClick={() =>
              void run(async () => {
                const f = await call('review.exportDecisions', { signer: reviewer.trim() });
                saveText(f.fileName, f.text, 'application/json');
                setExported(
                  `Exported ${f.decisions} decision(s)${f.signedOff ? ' and the sign-off' : ''} as ${f.fileName}, signed with ${f.fingerprint}.`,
                );
              })
            }
          >
            Export decisions
          </Button>
          {!reviewer.trim() ? <span className="muted">Enter your name under Sign-off first.</span> : null}
        </div>
        {exported ? (
          <p role="status" data-testid="decisions-exported">
            {exported}
          </p>
        ) : null}
      </section>
    );
  }

  return (
    <section className="card" aria-labelledby="review-decision-file">
      <h3 id="review-decision-file">Apply a reviewer&apos;s decisions</h3>
      <p>
        A reviewer who worked on a redacted package sends back a signed decision file. It is checked against
        this workspace (same workspace, same data, decisions unchanged since the package was saved) before
        anything changes.
      </p>
      <div className="field">
        <label htmlFor="decision-file">Decision file</label>
        <input
          id="decision-file"
          type="file"
          accept=".json,application/json"
          disabled={busy || working}
          onChange={(e) => {
            const file = e.target.files?.[0];
            setPreview(null);
            setText(null);
            setConfirmed('');
            if (!file) return;
            void run(async () => {
              const t = await file.text();
              setText(t);
              setPreview(await call('review.previewDecisions', { text: t }));
            });
          }}
        />
      </div>
      {preview && text ? (
        <div data-testid="decision-preview">
          <p>
            Signed by <strong>{preview.signer}</strong> at {preview.createdAt} with key{' '}
            <code>{preview.fingerprint}</code>.{' '}
            {preview.signOff
              ? `Includes a sign-off by ${preview.signOff.reviewer}${preview.signOff.note ? ` (“${preview.signOff.note}”)` : ''}.`
              : 'No sign-off.'}
          </p>
          {preview.changes.length ? (
            <table className="review-table">
              <caption>
                {preview.changes.length} change{preview.changes.length === 1 ? '' : 's'}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Kind</th>
                  <th scope="col">What</th>
                  <th scope="col">Now</th>
                  <th scope="col">After</th>
                </tr>
              </thead>
              <tbody>
                {preview.changes.slice(0, 200).map((c) => (
                  <tr key={`${c.kind}:${c.target}`}>
                    <td>{c.kind.replace(/_/g, ' ')}</td>
                    <td>{c.target}</td>
                    <td>{c.from}</td>
                    <td>{c.to}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>No decision changes.</p>
          )}
          <div className="field">
            <label htmlFor="confirm-fingerprint">Fingerprint the reviewer gave you</label>
            <input
              id="confirm-fingerprint"
              value={confirmed}
              placeholder="xxxx-xxxx-xxxx-xxxx-xxxx-xxxx-xxxx-xxxx"
              onChange={(e) => setConfirmed(e.target.value)}
            />
          </div>
          <div className="actions">
            <Button
              variant="primary"
              disabled={busy || working || confirmed.replace(/[^0-9a-f]/gi, '').length < 8}
              busy={working}
              onClick={() =>
                void run(async () => {
                  const r = await call('review.applyDecisions', { text, fingerprint: confirmed });
                  setPreview(null);
                  setText(null);
                  onApplied(
                    r.summary,
                    `Applied ${r.applied.changes.length} change(s) from ${r.applied.signer}${r.signedOff ? ', signed off' : ''}.`,
                  );
                })
              }
            >
              Apply decisions
            </Button>
          </div>
        </div>
      ) : null}
    </section>
  );
}
