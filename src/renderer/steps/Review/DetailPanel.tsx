import { useEffect, useState } from 'react';
import { asUiError, call, type UiError } from '../../api';
import { Button } from '../../components/Button';

interface Detail {
  auth0: Record<string, unknown>;
  workos: Record<string, unknown>;
  issues: string[];
}

// One user: the Auth0 record next to the WorkOS record it becomes, and the decisions that apply to it.
export function DetailPanel({
  userId,
  version,
  canDecide,
  onDecide,
  onClose,
  onError,
}: {
  userId: string;
  version: number;
  canDecide: boolean;
  onDecide: (decision: { kind: 'users'; include: boolean | null } | { kind: 'survivor' }) => void;
  onClose: () => void;
  onError: (e: UiError) => void;
}) {
  const [detail, setDetail] = useState<Detail | null>(null);
  useEffect(() => {
    let live = true;
    call('review.user', { userId })
      .then((d) => live && setDetail(d))
      .catch((e: unknown) => onError(asUiError(e)));
    return () => {
      live = false;
    };
  }, [userId, version, onError]);
  if (!detail)
    return (
      <aside className="card review-detail" aria-busy="true">
        Loading…
      </aside>
    );
  const outcome = (detail.workos.outcome ?? null) as
    | { kind: 'create'; record: Record<string, unknown> }
    | { kind: 'skip'; reason: string; mergedInto?: string }
    | null;
  const duplicate = detail.issues.includes('duplicate_emails');
  return (
    <aside className="card review-detail" aria-label="User detail" data-testid="user-detail">
      <div className="review-detail-head">
        <h3>User detail</h3>
        <Button onClick={onClose}>Close</Button>
      </div>
      <p>
        <strong>WorkOS: </strong>
        {outcome?.kind === 'create' ? (
          <span className="ok">will be created</span>
        ) : (
          <span className="bad">
            not migrated ({outcome?.reason.replace(/_/g, ' ')}
            {outcome?.mergedInto ? ` into ${outcome.mergedInto}` : ''})
          </span>
        )}
      </p>
      {detail.issues.length ? (
        <p className="muted">Findings: {detail.issues.join(', ').replace(/_/g, ' ')}</p>
      ) : null}
      <div className="review-compare">
        <section>
          <h4>Auth0 record</h4>
          <pre data-testid="detail-auth0">{JSON.stringify(detail.auth0, null, 2)}</pre>
        </section>
        <section>
          <h4>WorkOS record</h4>
          <pre data-testid="detail-workos">
            {JSON.stringify(
              outcome?.kind === 'create'
                ? { user: outcome.record, memberships: detail.workos.memberships }
                : outcome,
              null,
              2,
            )}
          </pre>
        </section>
      </div>
      {canDecide ? (
        <div className="actions">
          <Button onClick={() => onDecide({ kind: 'users', include: true })}>Include</Button>
          <Button variant="danger" onClick={() => onDecide({ kind: 'users', include: false })}>
            Exclude
          </Button>
          <Button onClick={() => onDecide({ kind: 'users', include: null })}>Clear decision</Button>
          {duplicate ? (
            <Button onClick={() => onDecide({ kind: 'survivor' })}>Keep this account</Button>
          ) : null}
        </div>
      ) : null}
    </aside>
  );
}
