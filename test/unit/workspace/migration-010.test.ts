import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { applyMigrations } from '../../../src/main/workspace/migrate';
import { migrations } from '../../../src/main/workspace/migrations';

// Journals written before 010 were written in one transaction: a plan with any journal row has a complete journal
// (its import started), a plan without rows has none.

describe('migration 010: complete journals are marked', () => {
  it('marks plans with a journal with their op count and leaves the others unmarked', () => {
    const db = new Database(':memory:');
    applyMigrations(
      db,
      migrations.filter((m) => m.version <= 9),
    );
    const plan = db.prepare(
      `INSERT INTO workos_plans (plan_id, created_at, environment, host, options_json, workspace_fingerprint,
         workos_fingerprint, counts_json, signoff_json) VALUES (?, '2026-01-01', 'e', 'h', '{}', 'w', 'k', '{}', '{}')`,
    );
    plan.run('imported');
    plan.run('planned');
    const op = db.prepare(
      `INSERT INTO workos_journal (plan_id, phase, kind, source_key, status, updated_at)
       VALUES ('imported', 3, 'user.create', ?, 'done', '2026-01-01')`,
    );
    for (const key of ['auth0|a', 'auth0|b', 'auth0|c']) op.run(key);

    applyMigrations(db, migrations);

    expect(db.prepare('SELECT plan_id, journal_ops FROM workos_plans ORDER BY plan_id').all()).toEqual([
      { plan_id: 'imported', journal_ops: 3 },
      { plan_id: 'planned', journal_ops: null },
    ]);
  });
});
