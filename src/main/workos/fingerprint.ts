import { createHash, type Hash } from 'node:crypto';
import { decisionsDigest } from '../review/decisions';
import type { Workspace } from '../workspace';
import { canonicalJson } from '../workspace/canonical';
import { cachedStatement } from '../workspace/statements';

// What a plan was computed from, on the workspace side: every export run, every committed password/MFA merge, the
// review decisions and sign-offs. Any change to one of them (a new export, a new merge, a changed decision) changes
// the digest, and the import then refuses the plan.
export function workspaceFingerprint(ws: Workspace): string {
  const h = createHash('sha256');
  hashSources(ws, h);
  h.update(decisionsDigest(ws));
  return h.digest('hex');
}

/**
 * The runs and sign-offs alone: a few rows, cheap enough to read before every import request. It moves whenever the
 * fingerprint can while a review is signed off, since decisions are locked until a reopen, which adds a sign-off row.
 */
export function workspaceSourcesDigest(ws: Workspace): string {
  const h = createHash('sha256');
  hashSources(ws, h);
  return h.digest('hex');
}

function hashSources(ws: Workspace, h: Hash): void {
  const sources: [string, string][] = [
    ['export', 'SELECT run_id, state, finished_at FROM auth0_export_runs ORDER BY run_id'],
    [
      'merge',
      "SELECT run_id, kind, state, finished_at FROM password_merge_runs WHERE state <> 'staging' ORDER BY run_id",
    ],
    ['signoffs', 'SELECT seq, action, decisions_digest FROM review_signoffs ORDER BY seq'],
  ];
  for (const [name, sql] of sources) {
    h.update(name);
    for (const row of cachedStatement(ws.db, sql).all()) h.update(canonicalJson(row));
  }
}
