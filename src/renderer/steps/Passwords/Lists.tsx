import { useCallback, useEffect, useState } from 'react';
import type { Output } from '../../../shared/contract';
import { asUiError, call, type UiError } from '../../api';
import { Button } from '../../components/Button';
import { ErrorBanner } from '../../components/ErrorBanner';

type Kind = 'passwords' | 'mfa';
type ListName =
  'unmatched' | 'ambiguous' | 'duplicates' | 'blocked' | 'notImportable' | 'withoutHash' | 'reenrol';
type Page = Output<'passwords.list'>;

const PAGE = 50;

export const LISTS: Record<Kind, { id: ListName; label: string; meaning: string }[]> = {
  passwords: [
    {
      id: 'unmatched',
      label: 'Unmatched lines',
      meaning:
        'Lines for which no exported database user has that id (or, failing that, that email) in that connection: users deleted since the file was made, lines of another tenant, or damaged records. Their hashes are not kept.',
    },
    {
      id: 'ambiguous',
      label: 'Ambiguous lines',
      meaning:
        'Lines matched only by email where several database users of the connection share it. Nothing is guessed: these users get no hash and need a reset or just-in-time migration.',
    },
    {
      id: 'duplicates',
      label: 'Duplicate lines',
      meaning: 'A second line for a user already matched; the first line is kept.',
    },
    {
      id: 'blocked',
      label: 'Blocked users',
      meaning:
        'Blocked in Auth0. Their hashes are kept but flagged: the import does not set a password for them unless you decide so in the review.',
    },
    {
      id: 'notImportable',
      label: 'Hashes WorkOS cannot take',
      meaning:
        'Unsalted digests, damaged hashes and unknown formats (never guessed as bcrypt). These users need a password reset or just-in-time migration.',
    },
    {
      id: 'withoutHash',
      label: 'Database users without a hash',
      meaning:
        'Users of database connections that the file has no hash for. In WorkOS they need a password reset, or just-in-time migration against Auth0 at first sign-in.',
    },
  ],
  mfa: [
    {
      id: 'unmatched',
      label: 'Unmatched lines',
      meaning: 'Secrets for which no exported user matched; they are not kept.',
    },
    {
      id: 'ambiguous',
      label: 'Ambiguous lines',
      meaning: 'Matched only by an email several users share; not kept.',
    },
    { id: 'duplicates', label: 'Duplicate lines', meaning: 'A second secret for a user already matched.' },
    {
      id: 'reenrol',
      label: 'Users to re-enrol',
      meaning:
        'Users with SMS or push factors (WorkOS has neither) or a TOTP factor whose secret is not in the file. They enrol again after the move.',
    },
  ],
};

// One list at a time, paged and searchable through main; the whole table never comes to the page.
export function Lists({ kind, version }: { kind: Kind; version: string }) {
  const [list, setList] = useState<ListName>(LISTS[kind][0]!.id);
  const [search, setSearch] = useState('');
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<Page | null>(null);
  const [error, setError] = useState<UiError | null>(null);

  const load = useCallback(async () => {
    try {
      setPage(
        await call('passwords.list', { kind, list, offset, limit: PAGE, ...(search ? { search } : {}) }),
      );
    } catch (err) {
      setError(asUiError(err));
    }
  }, [kind, list, offset, search]);

  useEffect(() => {
    queueMicrotask(() => void load());
  }, [load, version]);

  const spec = LISTS[kind].find((l) => l.id === list)!;
  return (
    <section className="card" aria-labelledby={`lists-${kind}`}>
      <h3 id={`lists-${kind}`}>Lists</h3>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <div className="passwords-list-controls">
        <label>
          List{' '}
          <select
            value={list}
            onChange={(e) => {
              setList(e.target.value as ListName);
              setOffset(0);
            }}
          >
            {LISTS[kind].map((l) => (
              <option key={l.id} value={l.id}>
                {l.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Search{' '}
          <input
            type="search"
            value={search}
            placeholder="user id or line number"
            onChange={(e) => {
              setSearch(e.target.value);
              setOffset(0);
            }}
          />
        </label>
      </div>
      <p className="muted">{spec.meaning}</p>
      {page && page.total === 0 ? <p>None.</p> : null}
      {page && page.total > 0 ? (
        <>
          <table className="export-table" aria-label={spec.label}>
            <thead>
              <tr>
                <th>Line</th>
                <th>User id</th>
                <th>Outcome</th>
                <th>Algorithm</th>
                <th>What it means</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((item, i) => (
                <tr key={`${item.line ?? ''}-${item.userId ?? ''}-${i}`}>
                  <td>{item.line ?? '—'}</td>
                  <td className="mono">{item.userId ?? '—'}</td>
                  <td>{item.outcome?.replace(/_/g, ' ') ?? '—'}</td>
                  <td>{item.algorithm ?? '—'}</td>
                  <td className="passwords-detail">{item.detail ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="actions">
            <Button onClick={() => setOffset(Math.max(0, offset - PAGE))} disabled={offset === 0}>
              Previous
            </Button>
            <span className="muted" aria-live="polite">
              {offset + 1}–{Math.min(offset + PAGE, page.total)} of {page.total}
            </span>
            <Button onClick={() => setOffset(offset + PAGE)} disabled={offset + PAGE >= page.total}>
              Next
            </Button>
          </div>
        </>
      ) : null}
    </section>
  );
}
