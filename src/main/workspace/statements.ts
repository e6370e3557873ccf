import type { Database, Statement } from 'better-sqlite3';

// better-sqlite3 frees a prepared statement only when V8 collects its JS object, and V8 does not count the native
// memory behind it. Statements prepared once per row therefore piled up: a plan of 100,000 users, which prepared
// two statements per user, grew the process to 1.2 GB (26 MB of it JavaScript heap). Code that runs once per row
// takes its statements from here instead: prepared once per connection, then reused.
//
// Only for get(), all() and run(): a statement is busy while an iterate() over it is open, so a cached one must not
// be iterated by a caller that may be re-entered.

/** Distinct SQL texts kept per connection (IN lists of several lengths included); the oldest is dropped beyond. */
const PER_CONNECTION = 256;

const byConnection = new WeakMap<Database, Map<string, Statement>>();

/** The connection's statement for `sql`, prepared on first use; pluck, raw and expand modes are off. */
export function cachedStatement<Params extends unknown[] = unknown[], Row = unknown>(
  db: Database,
  sql: string,
): Statement<Params, Row> {
  let cache = byConnection.get(db);
  if (!cache) byConnection.set(db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (stmt) {
    // A caller before may have turned a mode on (`.pluck()` changes the statement itself).
    if (stmt.reader) stmt.raw(false).expand(false).pluck(false);
  } else {
    stmt = db.prepare(sql);
    if (cache.size >= PER_CONNECTION) cache.delete(cache.keys().next().value!);
    cache.set(sql, stmt);
  }
  return stmt as unknown as Statement<Params, Row>;
}
