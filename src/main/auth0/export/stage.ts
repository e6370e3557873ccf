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

export function clearStage(db: Database, entity: EntityName): void {
  for (const t of entityTables[entity]) db.prepare(`DELETE FROM auth0_stage_${t}`).run();
}

/** Merges one staged table into its live table; call inside a transaction. */
export function mergeTable(db: Database, table: string): TableChanges {
  const live = `auth0_${table}`;
  const stage = `auth0_stage_${table}`;
  const cols = columns(db, live);
  const pk = cols
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => c.name);
  const rest = cols.filter((c) => c.pk === 0).map((c) => c.name);
  const names = cols.map((c) => c.name);
  const join = (a: string, b: string) => pk.map((k) => `${a}.${k} = ${b}.${k}`).join(' AND ');

  // A first export: every staged row is added, nothing is removed or changed; a plain copy says so without
  // comparing each row with a table that has none.
  if (db.prepare(`SELECT NOT EXISTS (SELECT 1 FROM ${live})`).pluck().get() === 1) {
    const added = db
      .prepare(`INSERT INTO ${live} (${names.join(', ')}) SELECT ${names.join(', ')} FROM ${stage}`)
      .run().changes;
    db.prepare(`DELETE FROM ${stage}`).run();
    return { table, added, removed: 0, changed: 0 };
  }

  const removed = db
    .prepare(`DELETE FROM ${live} WHERE NOT EXISTS (SELECT 1 FROM ${stage} s WHERE ${join('s', live)})`)
    .run().changes;
  const added = (
    db
      .prepare(
        `SELECT count(*) AS n FROM ${stage} s WHERE NOT EXISTS (SELECT 1 FROM ${live} l WHERE ${join('l', 's')})`,
      )
      .get() as { n: number }
  ).n;
  let written: number;
  if (rest.length === 0) {
    written = db
      .prepare(`INSERT OR IGNORE INTO ${live} (${names.join(', ')}) SELECT ${names.join(', ')} FROM ${stage}`)
      .run().changes;
  } else {
    const differs = rest.map((c) => `${live}.${c} IS excluded.${c}`).join(' AND ');
    written = db
      .prepare(
        `INSERT INTO ${live} (${names.join(', ')}) SELECT ${names.join(', ')} FROM ${stage} WHERE true
         ON CONFLICT (${pk.join(', ')}) DO UPDATE SET ${rest.map((c) => `${c} = excluded.${c}`).join(', ')}
         WHERE NOT (${differs})`,
      )
      .run().changes;
  }
  db.prepare(`DELETE FROM ${stage}`).run();
  return { table, added, removed, changed: written - added };
}

export function mergeEntity(db: Database, entity: EntityName): TableChanges[] {
  return entityTables[entity].map((t) => mergeTable(db, t));
}
