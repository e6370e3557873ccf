import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ReviewUserRow } from '../../../shared/review-contract';
import { asUiError, call, type UiError } from '../../api';

const CHUNK = 100;
const ROW_HEIGHT = 34;

export interface UserQueryState {
  filter: string;
  search: string;
  sort: 'user_id' | 'email';
}

// The users table: virtualized, loading chunks of 100 rows by offset as they scroll into view. The renderer
// never holds more than the chunks it has seen; the query (filter, search, sort) runs in main on indexed SQL.
export function UsersTable({
  query,
  version,
  selected,
  onSelect,
  onError,
}: {
  query: UserQueryState;
  version: number;
  selected: string | null;
  onSelect: (userId: string) => void;
  onError: (e: UiError) => void;
}) {
  const [total, setTotal] = useState(0);
  const [chunks, setChunks] = useState<Map<number, ReviewUserRow[]>>(new Map());
  const loading = useRef(new Set<number>());
  const parent = useRef<HTMLDivElement>(null);
  const generation = useRef(0);

  const load = useCallback(
    async (chunk: number) => {
      if (loading.current.has(chunk)) return;
      loading.current.add(chunk);
      const gen = generation.current;
      try {
        const r = await call('review.users', {
          ...(query.filter ? { filter: query.filter } : {}),
          ...(query.search.trim() ? { search: query.search.trim() } : {}),
          sort: query.sort,
          desc: false,
          offset: chunk * CHUNK,
          limit: CHUNK,
        });
        if (gen !== generation.current) return;
        setTotal(r.total);
        setChunks((m) => new Map(m).set(chunk, r.rows));
      } catch (err) {
        onError(asUiError(err));
      } finally {
        loading.current.delete(chunk);
      }
    },
    [query, onError],
  );

  useEffect(() => {
    generation.current++;
    loading.current.clear();
    queueMicrotask(() => {
      setChunks(new Map());
      void load(0);
    });
  }, [load, version]);

  // TanStack Virtual is built for re-rendering, not memoization; the compiler skips this component on purpose.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => parent.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  useEffect(() => {
    const needed = new Set(items.map((i) => Math.floor(i.index / CHUNK)));
    for (const c of needed) if (!chunks.has(c)) void load(c);
  }, [items, chunks, load]);

  return (
    <div
      className="review-table"
      role="table"
      aria-label="Users"
      aria-rowcount={total}
      data-testid="users-table"
    >
      <div className="review-row review-head" role="row">
        <span role="columnheader">Auth0 user</span>
        <span role="columnheader">Email</span>
        <span role="columnheader">Connection</span>
        <span role="columnheader">WorkOS</span>
        <span role="columnheader">Findings</span>
      </div>
      <p className="muted review-total" data-testid="users-total">
        {total.toLocaleString()} users
      </p>
      <div ref={parent} className="review-scroll">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const row = chunks.get(Math.floor(item.index / CHUNK))?.[item.index % CHUNK];
            return (
              <div
                key={item.key}
                role="row"
                aria-rowindex={item.index + 1}
                className={`review-row review-data${row && row.userId === selected ? ' review-selected' : ''}`}
                style={{
                  position: 'absolute',
                  top: 0,
                  left: 0,
                  right: 0,
                  height: ROW_HEIGHT,
                  transform: `translateY(${item.start}px)`,
                }}
                tabIndex={row ? 0 : -1}
                onClick={() => row && onSelect(row.userId)}
                onKeyDown={(e) => {
                  if (row && (e.key === 'Enter' || e.key === ' ')) {
                    e.preventDefault();
                    onSelect(row.userId);
                  }
                }}
              >
                {row ? (
                  <>
                    <span role="cell" className="mono">
                      {row.userId}
                    </span>
                    <span role="cell">{row.email ?? <em className="muted">no email</em>}</span>
                    <span role="cell">{row.connection ?? ''}</span>
                    <span role="cell" className={row.outcome === 'create' ? 'ok' : 'bad'}>
                      {row.outcome === 'create'
                        ? 'created'
                        : `not migrated (${row.skipReason?.replace(/_/g, ' ')})`}
                    </span>
                    <span role="cell" className="muted">
                      {row.issues.length ? row.issues.join(', ').replace(/_/g, ' ') : '—'}
                    </span>
                  </>
                ) : (
                  <span role="cell" className="muted">
                    Loading…
                  </span>
                )}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
