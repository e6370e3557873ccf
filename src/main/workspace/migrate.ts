import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { AppError } from '../../shared/errors';
import type { Migration } from './migrations';

export function migrationChecksum(sql: string): string {
  return createHash('sha256').update(sql, 'utf8').digest('hex');
}

export function migrationLabel(m: Pick<Migration, 'version' | 'name'>): string {
  return `${String(m.version).padStart(3, '0')}_${m.name}`;
}

/** Catches mistakes in the migration list itself (a gap, a duplicate, an odd name) before it touches a file. */
export function validateMigrationList(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new AppError(
        'internal',
        `Migration list is out of order: entry ${i + 1} has version ${m.version}.`,
      );
    }
    if (!/^[a-z0-9]+(_[a-z0-9]+)*$/.test(m.name)) {
      throw new AppError('internal', `Migration ${m.version} has an invalid name "${m.name}".`);
    }
    if (m.sql.trim() === '') throw new AppError('internal', `Migration ${migrationLabel(m)} is empty.`);
  });
}

const ledgerSql = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  checksum   TEXT NOT NULL,
  applied_at TEXT NOT NULL
) STRICT`;

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

function tableExists(db: Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/**
 * Compares the migrations recorded in the workspace with `list`. An applied migration whose checksum or name no
 * longer matches is refused (migration_tampered); one this app does not know means a newer app wrote the file.
 * Returns the migrations still to apply.
 */
export function assertKnownMigrations(
  db: Database,
  list: readonly Migration[],
  file = 'the workspace',
): Migration[] {
  validateMigrationList(list);
  const applied = tableExists(db, 'schema_migrations')
    ? (db
        .prepare('SELECT version, name, checksum FROM schema_migrations ORDER BY version')
        .all() as AppliedRow[])
    : [];
  for (const row of applied) {
    const known = list[row.version - 1];
    if (!known) {
      throw new AppError(
        'workspace_invalid',
        `${file} has schema migration ${migrationLabel(row)}, which this version of the app does not know.`,
        'It was probably written by a newer version of the app: update the app to open it.',
      );
    }
    if (known.name !== row.name || migrationChecksum(known.sql) !== row.checksum) {
      throw new AppError(
        'migration_tampered',
        `Schema migration ${migrationLabel(known)} does not match the one applied to ${file} (checksum or name differs).`,
        'An applied migration must never be edited; add a new migration instead. If you did not change it, the workspace file may have been altered.',
      );
    }
  }
  return list.slice(applied.length);
}

/** Applies each pending migration in its own transaction, recording its checksum in the same transaction. */
export function applyMigrations(db: Database, pending: readonly Migration[]): void {
  db.exec(ledgerSql);
  const record = db.prepare(
    'INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)',
  );
  const isApplied = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?');
  for (const m of pending) {
    db.transaction(() => {
      // Another connection (a worker, a second window) may have applied it since we looked.
      if (isApplied.get(m.version)) return;
      db.exec(m.sql);
      record.run(m.version, m.name, migrationChecksum(m.sql), new Date().toISOString());
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}
