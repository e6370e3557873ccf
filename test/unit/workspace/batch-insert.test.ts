import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { batchInsert } from '../../../src/main/workspace/batch-insert';

describe('batchInsert', () => {
  const setup = () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, data BLOB) STRICT');
    return db;
  };

  it('writes full groups as they fill and the rest on flush, in order, with every value intact', () => {
    const db = setup();
    const rows = batchInsert(db, 'INSERT INTO t (id, name, data)', 3, '', 4);
    let written = 0;
    for (let i = 1; i <= 10; i++) written += rows.add(i, `n${i}`, Buffer.from([i]));
    expect(written).toBe(8); // two groups of 4
    expect(rows.pending).toBe(2);
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(8);
    expect(rows.flush()).toBe(2);
    expect(rows.pending).toBe(0);
    const all = db.prepare('SELECT id, name, data FROM t ORDER BY rowid').all() as {
      id: number;
      name: string;
      data: Buffer;
    }[];
    expect(all.map((r) => [r.id, r.name, r.data[0]])).toEqual(
      Array.from({ length: 10 }, (_, k) => [k + 1, `n${k + 1}`, k + 1]),
    );
  });

  it('applies the tail to every row of a group: a conflict skips only that row', () => {
    const db = setup();
    db.prepare('INSERT INTO t (id, name) VALUES (2, ?)').run('first');
    const rows = batchInsert(db, 'INSERT INTO t (id, name, data)', 3, 'ON CONFLICT DO NOTHING', 3);
    expect(rows.add(1, 'a', null) + rows.add(2, 'b', null) + rows.add(3, 'c', null)).toBe(2);
    expect(db.prepare('SELECT name FROM t WHERE id = 2').pluck().get()).toBe('first');
  });

  it('a failing group throws and writes none of its rows', () => {
    const db = setup();
    const rows = batchInsert(db, 'INSERT INTO t (id, name, data)', 3, '', 2);
    rows.add(1, 'a', null);
    expect(() => rows.add(1, 'dup', null)).toThrow(/UNIQUE/);
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(0);
  });
});
