import type { Database } from 'better-sqlite3';
import type { EntityName } from './entities';

// Each exported entity's data version: raised in the transaction that merges an export's entity into the live tables
// whenever that changed a row. Work that reads exported data over a long run (a password or MFA merge matches its
// lines to the users) records the versions when it starts, and does not commit once they moved: its matches were
// made against users that have changed since.

const key = (entity: EntityName): string => `export.version.${entity}`;

export function bumpEntityVersion(db: Database, entity: EntityName): void {
  db.prepare(
    `INSERT INTO settings (key, value_json, updated_at) VALUES (?, '1', ?)
     ON CONFLICT (key) DO UPDATE SET value_json = CAST(value_json AS INTEGER) + 1, updated_at = excluded.updated_at`,
  ).run(key(entity), new Date().toISOString());
}

/** The versions of `entities` as one comparable string, e.g. "users:3 mfa:1" (0 for an entity never exported). */
export function entityVersions(db: Database, entities: readonly EntityName[]): string {
  const get = db.prepare('SELECT value_json FROM settings WHERE key = ?').pluck();
  return entities.map((e) => `${e}:${Number((get.get(key(e)) as string | undefined) ?? 0)}`).join(' ');
}
