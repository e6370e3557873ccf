import { createHash } from 'node:crypto';
import { canonicalJson } from '../workspace/canonical';
import type { HasDb } from './mapping';

// What a review was made of, apart from its decisions: every export run, every committed password/MFA merge and
// the entity counts. The workspace's data changes only through those, so a decision file carries this digest and
// is refused where it no longer matches ("stale": the reviewer looked at other data). It survives redaction: the
// rows hashed here hold no secret and are kept in a redacted package.
export function reviewDataDigest(ws: HasDb): string {
  const h = createHash('sha256');
  const sources: [string, string][] = [
    ['export', 'SELECT run_id, state, finished_at FROM auth0_export_runs ORDER BY run_id'],
    [
      'merge',
      "SELECT run_id, kind, state, finished_at FROM password_merge_runs WHERE state <> 'staging' ORDER BY run_id",
    ],
    [
      'counts',
      `SELECT (SELECT count(*) FROM auth0_users) AS users, (SELECT count(*) FROM auth0_organizations) AS organizations,
         (SELECT count(*) FROM auth0_memberships) AS memberships, (SELECT count(*) FROM auth0_roles) AS roles,
         (SELECT count(*) FROM auth0_connections) AS connections`,
    ],
  ];
  for (const [name, sql] of sources) {
    h.update(name);
    for (const row of ws.db.prepare(sql).iterate()) h.update(canonicalJson(row));
  }
  return h.digest('hex');
}
