import { availableParallelism } from 'node:os';
import type { Database } from 'better-sqlite3';
import type { EntityName } from './entities';

// A run writes an entity into the auth0_stage_* twins; once the entity has been read to its end it is merged
// into the live tables in one transaction. Unchanged rows are left untouched, so other features' rows that
// point at them keep pointing at the same rows; the merge reports what was added, removed and changed.

export const entityTables: Record<EntityName, string[]> = {
  users: ['users', 'identities'],
  organizations: ['organizations', 'org_connections'],
  memberships: ['memberships', 'membership_roles'],
  roles: ['roles'],
  connections: ['connections'],
  mfa: ['mfa_enrolments'],
  logic: ['custom_logic'],
};

export interface TableChanges {
  table: string;
  added: number;
  removed: number;
  changed: number;
}

interface Column {
  name: string;
  pk: number;
}

function columns(db: Database, table: string): Column[] {
  return db.prepare(`PRAGMA table_info(${table})`).all() as Column[];
}

/** The live table's key: its primary key, or for a table without one its unique index `<table>_key`. */
function keyColumns(db: Database, live: string, cols: Column[]): string[] {
  const pk = cols
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => c.name);
  if (pk.length > 0) return pk;
  const key = db
    .prepare(`SELECT name FROM pragma_index_info(?) ORDER BY seqno`)
    .pluck()
    .all(`${live}_key`) as string[];
  if (key.length === 0) throw new Error(`${live} has neither a primary key nor a ${live}_key index`);
  return key;
}

export function clearStage(db: Database, entity: EntityName): void {
  for (const t of entityTables[entity]) db.prepare(`DELETE FROM auth0_stage_${t}`).run();
}

interface IndexDef {
  name: string;
  sql: string;
}

/** The explicit indexes on a table (not the automatic ones of a primary key or UNIQUE constraint). */
function indexesOn(db: Database, table: string): IndexDef[] {
  return db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL")
    .all(table) as IndexDef[];
}

/**
 * The columns any index of `table` reads: its keys (also those of a primary key or UNIQUE constraint), and any column
 * its SQL names (an expression, a partial index's WHERE). A name appearing elsewhere in that SQL only errs on the side
 * of counting a column as indexed.
 */
function indexedColumns(db: Database, table: string): Set<string> {
  const names = columns(db, table).map((c) => c.name);
  const indexed = new Set<string>();
  const list = db.prepare('SELECT name FROM pragma_index_list(?)').pluck().all(table) as string[];
  const info = db.prepare('SELECT name FROM pragma_index_info(?) WHERE name IS NOT NULL').pluck();
  for (const index of list) for (const c of info.all(index) as string[]) indexed.add(c);
  for (const { sql } of indexesOn(db, table))
    for (const c of names) if (new RegExp(`\\b${c}\\b`, 'i').test(sql)) indexed.add(c);
  return indexed;
}

/**
 * Whether an empty live table can trade places with its stage twin (mergeTable): not when a table has triggers
 * (they would move with it) or another table has a foreign key to it (legacy renames with foreign_keys on rewrite
 * those).
 */
function swappable(db: Database, live: string, stage: string): boolean {
  const triggers = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (?, ?) LIMIT 1")
    .get(live, stage);
  if (triggers) return false;
  const referenced = db
    .prepare(
      `SELECT 1 FROM sqlite_master m, pragma_foreign_key_list(m.name) f
       WHERE m.type = 'table' AND f."table" IN (?, ?) LIMIT 1`,
    )
    .get(live, stage);
  return !referenced;
}

/** The CREATE INDEX statement of `sql` on table `to` instead of `from` (SQLite quotes the name after a rename). */
function retarget(sql: string, from: string, to: string): string {
  const on = new RegExp(
    `^(CREATE\\s+(?:UNIQUE\\s+)?INDEX\\s+(?:"[^"]+"|\\S+)\\s+ON\\s+)(?:"${from}"|${from})(\\s*\\()`,
    'i',
  );
  if (!on.test(sql)) throw new Error(`cannot move index to ${to}: unexpected definition`);
  return sql.replace(on, `$1${to}$2`);
}

const isEmpty = (db: Database, table: string): boolean =>
  db.prepare(`SELECT NOT EXISTS (SELECT 1 FROM ${table})`).pluck().get() === 1;

/**
 * Before a first export's merge (its live tables empty, its stage tables filled): builds the live tables' indexes
 * on the stage tables, under their own names, one index per transaction. The merge's transaction then only renames
 * the tables (mergeTable), instead of holding the write lock for every index build: 7.8 s at a million users,
 * longer than the app's main thread waits for a lock. Each index sits on one of the two tables at every commit, so
 * an interruption loses none: restoreParkedIndexes puts back those parked before the stage is written again.
 */
export function parkIndexesForMerge(db: Database, entity: EntityName): void {
  for (const t of entityTables[entity]) {
    const live = `auth0_${t}`;
    const stage = `auth0_stage_${t}`;
    if (!isEmpty(db, live) || isEmpty(db, stage) || !swappable(db, live, stage)) continue;
    for (const index of indexesOn(db, live))
      db.transaction(() => {
        db.exec(`DROP INDEX "${index.name}"`);
        buildIndexes(db, [retarget(index.sql, live, stage)]);
      })();
  }
}

/**
 * Moves back to their empty live tables the indexes an interrupted run parked on the stage tables (which have no
 * indexes of their own): staging into indexed tables would be slow, and the users key would refuse the repeated
 * rows that staging removes only at its end. A re-export's merge key left on a stage table (diffForMerge) goes too.
 */
export function restoreParkedIndexes(db: Database, entity: EntityName): void {
  for (const t of entityTables[entity]) {
    const live = `auth0_${t}`;
    const stage = `auth0_stage_${t}`;
    const onStage = indexesOn(db, stage);
    const parked = onStage.filter((i) => i.name.startsWith(`${live}_`));
    const mergeKey = onStage.some((i) => i.name === mergeKeyName(stage));
    if (parked.length === 0 && !mergeKey) continue;
    db.transaction(() => {
      for (const index of parked) {
        db.exec(`DROP INDEX "${index.name}"`);
        db.exec(retarget(index.sql, stage, live));
      }
      if (mergeKey) db.exec(`DROP INDEX ${mergeKeyName(stage)}`);
    })();
  }
}

/** The key a keyless stage table (users, identities: see migration 007) gets for a re-export's comparisons. */
const mergeKeyName = (stage: string): string => `${stage}_merge_key`;

/** This connection's temporary tables holding a re-export's differences for one table (diffForMerge). */
function diffTables(table: string): { removed: string; written: string } {
  return { removed: `merge_removed_${table}`, written: `merge_written_${table}` };
}

function dropDiff(db: Database, table: string): void {
  const d = diffTables(table);
  db.exec(`DROP TABLE IF EXISTS temp.${d.removed}; DROP TABLE IF EXISTS temp.${d.written}`);
}

function hasDiff(db: Database, table: string): boolean {
  const { removed, written } = diffTables(table);
  const lists = db.prepare("SELECT count(*) FROM temp.sqlite_master WHERE type = 'table' AND name IN (?, ?)");
  return lists.pluck().get(removed, written) === 2;
}

/**
 * Before a re-export's merge (live and stage tables both filled): finds, outside the write lock, the live rows the
 * stage no longer has and the staged rows that are new or changed, into temporary tables of this connection (they
 * take no lock on the workspace). The merge's transaction then writes only those rows: at a million users it held
 * the write lock for 17 s comparing every row, beyond the 5 s the app's main thread waits for it. The merge checks
 * each of these rows again under the lock; rows outside them are left as they are, which holds because only the
 * export (one at a time) writes the auth0_* tables.
 */
function diffForMerge(db: Database, table: string): void {
  const live = `auth0_${table}`;
  const stage = `auth0_stage_${table}`;
  if (isEmpty(db, live) || withoutRowid(db, live) || withoutRowid(db, stage)) return;
  const cols = columns(db, live);
  const pk = keyColumns(db, live, cols);
  const same = [
    ...pk.map((k) => `l.${k} = s.${k}`),
    ...cols.filter((c) => !pk.includes(c.name)).map((c) => `l.${c.name} IS s.${c.name}`),
  ];
  if (columns(db, stage).every((c) => c.pk === 0))
    db.transaction(() =>
      buildIndexes(db, [`CREATE INDEX IF NOT EXISTS ${mergeKeyName(stage)} ON ${stage} (${pk.join(', ')})`]),
    )();
  const d = diffTables(table);
  // One read snapshot for both lists.
  db.transaction(() => {
    db.exec(
      `CREATE TEMP TABLE ${d.removed} AS SELECT l.rowid AS rid FROM ${live} l
       WHERE NOT EXISTS (SELECT 1 FROM ${stage} s WHERE ${pk.map((k) => `s.${k} = l.${k}`).join(' AND ')});
       CREATE TEMP TABLE ${d.written} AS SELECT s.rowid AS rid FROM ${stage} s
       WHERE NOT EXISTS (SELECT 1 FROM ${live} l WHERE ${same.join(' AND ')});`,
    );
  })();
}

const withoutRowid = (db: Database, table: string): boolean =>
  db.prepare("SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?").pluck().get(table) === 1;

/**
 * Run before mergeEntity's transaction, outside it: a first export's indexes are built on the stage tables
 * (parkIndexesForMerge), a re-export's differences are worked out (diffForMerge). Both keep the merge's hold on the
 * write lock short.
 */
export function prepareMerge(db: Database, entity: EntityName): void {
  parkIndexesForMerge(db, entity);
  for (const t of entityTables[entity]) {
    dropDiff(db, t); // an earlier attempt's lists describe rows that may have changed since
    if (!isEmpty(db, `auth0_stage_${t}`)) diffForMerge(db, t);
  }
}

/**
 * Swaps an empty live table with its filled stage twin (same columns). Indexes parked on the stage table
 * (parkIndexesForMerge) move with it; any left on the live table are dropped and rebuilt on the new live table,
 * one sort each. Returns false, swapping nothing, when the tables cannot trade places (swappable).
 */
function swapTables(db: Database, live: string, stage: string): boolean {
  if (!swappable(db, live, stage)) return false;
  const indexes = indexesOn(db, live);
  const legacy = db.pragma('legacy_alter_table', { simple: true }) as number;
  db.pragma('legacy_alter_table = ON');
  try {
    for (const i of indexes) db.exec(`DROP INDEX "${i.name}"`);
    const spare = `${stage}_swap`;
    db.exec(`ALTER TABLE ${live} RENAME TO ${spare}`);
    db.exec(`ALTER TABLE ${stage} RENAME TO ${live}`);
    db.exec(`ALTER TABLE ${spare} RENAME TO ${stage}`);
    buildIndexes(
      db,
      indexes.map((i) => i.sql),
    );
  } finally {
    db.pragma(`legacy_alter_table = ${legacy ? 'ON' : 'OFF'}`);
  }
  return true;
}

/**
 * Runs CREATE INDEX statements with a small page cache and SQLite's sorter threads. Measured on a million users
 * (1.1 GB of rows, eleven indexes): 11.8 s with the 64 MB cache the export otherwise uses, 7.2 s with a 2 MB one (the
 * sorter sorts cache-sized runs that fit the CPU's caches, then merges them; a table scan through a large cache costs
 * more than through a small one), 5.7-6.3 s with sorter threads too (they sort runs while the scan goes on).
 */
function buildIndexes(db: Database, statements: string[]): void {
  const cacheSize = db.pragma('cache_size', { simple: true }) as number;
  const threads = db.pragma('threads', { simple: true }) as number;
  db.pragma(`cache_size = ${INDEX_BUILD_CACHE_KIB}`);
  db.pragma(`threads = ${Math.min(4, availableParallelism())}`);
  try {
    for (const sql of statements) db.exec(sql);
  } finally {
    db.pragma(`cache_size = ${cacheSize}`);
    db.pragma(`threads = ${threads}`);
  }
}

const INDEX_BUILD_CACHE_KIB = -2000;

/** Merges one staged table into its live table; call inside a transaction. */
export function mergeTable(db: Database, table: string): TableChanges {
  const live = `auth0_${table}`;
  const stage = `auth0_stage_${table}`;
  const cols = columns(db, live);
  const pk = keyColumns(db, live, cols);
  const rest = cols.filter((c) => !pk.includes(c.name)).map((c) => c.name);
  const names = cols.map((c) => c.name);
  const join = (a: string, b: string) => pk.map((k) => `${a}.${k} = ${b}.${k}`).join(' AND ');

  // A first export: every staged row is added, nothing is removed or changed. Copying a million rows (and
  // writing them a second time) is most of an export's cost, so the filled stage table becomes the live table by
  // renaming and the empty live table becomes the stage; the indexes come along from the stage table where
  // parkIndexesForMerge built them, or are rebuilt from their own SQL on the new live table. legacy_alter_table keeps
  // any view, trigger or foreign key elsewhere that names the live table naming it (the new one). All inside the
  // caller's transaction: a failure rolls back the renames too.
  if (isEmpty(db, live)) {
    const staged = db.prepare(`SELECT count(*) FROM ${stage}`).pluck().get() as number;
    if (staged === 0 || swapTables(db, live, stage)) return { table, added: staged, removed: 0, changed: 0 };
    const added = db
      .prepare(`INSERT INTO ${live} (${names.join(', ')}) SELECT ${names.join(', ')} FROM ${stage}`)
      .run().changes;
    db.prepare(`DELETE FROM ${stage}`).run();
    return { table, added, removed: 0, changed: 0 };
  }

  // A stage table without a key (users, identities: see migration 007) gets one for the comparisons below, in one
  // sort (unless diffForMerge built it), and loses it again before the stage is emptied.
  const stageKey = mergeKeyName(stage);
  const keyless = columns(db, stage).every((c) => c.pk === 0);
  if (keyless) buildIndexes(db, [`CREATE INDEX IF NOT EXISTS ${stageKey} ON ${stage} (${pk.join(', ')})`]);
  // With diffForMerge's lists only the rows in them are compared and written; without, every row.
  const diff = hasDiff(db, table) ? diffTables(table) : null;
  const onlyRemoved = diff ? ` AND rowid IN (SELECT rid FROM temp.${diff.removed})` : '';
  const onlyWritten = diff ? `s.rowid IN (SELECT rid FROM temp.${diff.written})` : 'true';
  const removed = db
    .prepare(
      `DELETE FROM ${live} WHERE NOT EXISTS (SELECT 1 FROM ${stage} s WHERE ${join('s', live)})${onlyRemoved}`,
    )
    .run().changes;
  const added = (
    db
      .prepare(
        `SELECT count(*) AS n FROM ${stage} s
         WHERE ${onlyWritten} AND NOT EXISTS (SELECT 1 FROM ${live} l WHERE ${join('l', 's')})`,
      )
      .get() as { n: number }
  ).n;
  const staged = `SELECT ${names.map((n) => `s.${n}`).join(', ')} FROM ${stage} s WHERE ${onlyWritten}`;
  // A refresh mostly changes columns no index covers (names, last logins, the raw JSON). Those rows are updated in
  // place first, which rewrites no index entry; the upsert below then finds them equal and writes only the rest. An
  // upsert sets every column, so it rewrites every index of each row it changes: at a million users, 10,000 renamed
  // users took 2.4 s that way, under the write lock. Only with diffForMerge's lists, which bound the join.
  const indexed = diff ? indexedColumns(db, live) : null;
  const plain = indexed ? rest.filter((c) => !indexed.has(c)) : [];
  let updatedInPlace = 0;
  if (indexed && plain.length > 0) {
    const keep = rest.filter((c) => indexed.has(c)).map((c) => ` AND l.${c} IS s.${c}`);
    updatedInPlace = db
      .prepare(
        `UPDATE ${live} AS l SET ${plain.map((c) => `${c} = s.${c}`).join(', ')}
         FROM ${stage} s
         WHERE ${onlyWritten} AND ${join('l', 's')}${keep.join('')}
           AND NOT (${plain.map((c) => `l.${c} IS s.${c}`).join(' AND ')})`,
      )
      .run().changes;
  }
  let written: number;
  if (rest.length === 0) {
    written = db.prepare(`INSERT OR IGNORE INTO ${live} (${names.join(', ')}) ${staged}`).run().changes;
  } else {
    const differs = rest.map((c) => `${live}.${c} IS excluded.${c}`).join(' AND ');
    written = db
      .prepare(
        `INSERT INTO ${live} (${names.join(', ')}) ${staged}
         ON CONFLICT (${pk.join(', ')}) DO UPDATE SET ${rest.map((c) => `${c} = excluded.${c}`).join(', ')}
         WHERE NOT (${differs})`,
      )
      .run().changes;
  }
  if (keyless) db.exec(`DROP INDEX ${stageKey}`);
  db.prepare(`DELETE FROM ${stage}`).run();
  if (diff) dropDiff(db, table);
  return { table, added, removed, changed: updatedInPlace + written - added };
}

export function mergeEntity(db: Database, entity: EntityName): TableChanges[] {
  return entityTables[entity].map((t) => mergeTable(db, t));
}
