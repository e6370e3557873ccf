import type { Output } from '../../../shared/contract';
import { Button } from '../../components/Button';

type Recent = Output<'workspace.recent'>;

interface RecentListProps {
  recent: Recent;
  busy: boolean;
  onOpen(path: string): void;
  onForget(path: string): void;
}

export function RecentList({ recent, busy, onOpen, onForget }: RecentListProps) {
  if (recent.length === 0) return <p className="muted">No workspace opened on this machine yet.</p>;
  return (
    <ul className="recent" aria-label="Recent workspaces">
      {recent.map((r) => (
        <li key={r.path} className={r.exists ? '' : 'missing'} data-testid="recent-item">
          <div className="recent-text">
            <span className="recent-name">{r.name}</span>
            <span className="path">{r.path}</span>
            <span className="muted">
              last opened {new Date(r.lastOpenedAt).toLocaleString()}
              {r.exists ? '' : ' · file missing'}
            </span>
          </div>
          <div className="recent-actions">
            <Button
              variant="primary"
              disabled={!r.exists || busy}
              onClick={() => onOpen(r.path)}
              aria-label={`Open ${r.name}`}
            >
              Open
            </Button>
            <Button disabled={busy} onClick={() => onForget(r.path)} aria-label={`Forget ${r.name}`}>
              Forget
            </Button>
          </div>
        </li>
      ))}
    </ul>
  );
}
