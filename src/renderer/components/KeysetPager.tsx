import { useEffect, useState } from 'react';
import { asUiError, type UiError } from '../api';
import { Button } from './Button';

// Keyset paging for lists main serves page by page (`after` = the previous page's `next`). The page never holds
// more than one page; Previous walks back through the cursors seen. Remount (a `key`) to start over on a new query.

export interface KeysetPage<T> {
  rows: T[];
  next: number | null;
}

export function useKeysetPages<T>(
  fetchPage: (after: number | undefined) => Promise<KeysetPage<T>>,
  version: unknown = 0,
) {
  const [cursors, setCursors] = useState<number[]>([]);
  const [page, setPage] = useState<KeysetPage<T> | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const after = cursors.length ? cursors[cursors.length - 1] : undefined;

  useEffect(() => {
    let live = true;
    fetchPage(after).then(
      (p) => {
        if (!live) return;
        setPage(p);
        setError(null);
      },
      (err: unknown) => {
        if (live) setError(asUiError(err));
      },
    );
    return () => {
      live = false;
    };
  }, [fetchPage, after, version]);

  const nextCursor = page && page.rows.length > 0 ? page.next : null;
  return {
    page,
    error,
    dismissError: () => setError(null),
    pageNumber: cursors.length + 1,
    hasPrevious: cursors.length > 0,
    hasNext: nextCursor !== null,
    previous: () => setCursors((c) => c.slice(0, -1)),
    next: () => {
      if (nextCursor !== null) setCursors((c) => [...c, nextCursor]);
    },
  };
}

interface PagerControlsProps {
  label: string;
  pageNumber: number;
  rows: number;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious(): void;
  onNext(): void;
}

export function PagerControls({
  label,
  pageNumber,
  rows,
  hasPrevious,
  hasNext,
  onPrevious,
  onNext,
}: PagerControlsProps) {
  if (!hasPrevious && !hasNext) return null;
  return (
    <div className="actions pager" role="group" aria-label={`${label} pages`}>
      <Button onClick={onPrevious} disabled={!hasPrevious} aria-label={`Previous page of ${label}`}>
        Previous
      </Button>
      <span className="muted" aria-live="polite">
        Page {pageNumber} ({rows} rows)
      </span>
      <Button onClick={onNext} disabled={!hasNext} aria-label={`Next page of ${label}`}>
        Next
      </Button>
    </div>
  );
}
