import { createHash } from 'node:crypto';
import { canonicalJson } from '../workspace/canonical';
import type { HasDb } from './mapping';

// What a review was made of, apart from its decisions: every export run, every committed password/MFA merge and
// every WorkOS-CLI directory read. The workspace's data changes only through those, so a decision file carries this digest and
// is refused where it no longer matches ("stale": the reviewer looked at other data), and stored totals are
// trusted only while it matches. It survives redaction and VACUUM (no rowids, no secrets) and costs a few small
// index reads, never a count over a million rows.
export function reviewDataDigest(ws: HasDb): string {
  const h = createHash('sha256');
  const sources: [string, string][] = [
    ['export', 'SELECT run_id, state, finished_at FROM auth0_export_runs ORDER BY run_id'],
    [
      'merge',
      "SELECT run_id, kind, state, finished_at FROM password_merge_runs WHERE state <> 'staging' ORDER BY run_id",
    ],
    // The other way data arrives: a WorkOS migrations CLI directory read into the workspace.
    ['workos-cli', "SELECT seq, at FROM audit_log WHERE action = 'package.workosCli.imported' ORDER BY seq"],
  ];
  for (const [name, sql] of sources) {
    h.update(name);
    for (const row of ws.db.prepare(sql).iterate()) h.update(canonicalJson(row));
  }
  return h.digest('hex');
}
