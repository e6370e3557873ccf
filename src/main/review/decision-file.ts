import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import type { Workspace } from '../workspace';
import { canonicalJson } from '../workspace/canonical';
import { metadataMappingSchema } from './config';
import { reviewDataDigest } from './data-digest';
import {
  chooseSurvivor,
  clearPolicy,
  clearSurvivor,
  decisionsDigest,
  readDecisionSet,
  setMetadataMapping,
  setPolicy,
  setRoleMapping,
  setUserDecisions,
  signOff,
  signOffState,
  type DecisionSet,
  type DecisionTarget,
} from './decisions';
import { isReviewCopy, packageOrigin } from './overlay';
import { fingerprintOf, normalizeFingerprint, signBytes, verifyBytes, type ReviewerKey } from './signing-key';

// The signed decision file: how decisions and a sign-off taken in a reviewer's copy (a redacted package opened on
// another machine) travel back to the original workspace. It holds the complete decision state of the copy, the
// sign-off if there is one, and what it was made against (workspace id, data digest, decisions digest at the
// time the package was saved), signed with the reviewer's Ed25519 key. Applying verifies all of that, shows the
// changes, and replays them through the decisions module (audit-logged under the reviewer's name and key
// fingerprint). Why Ed25519 and not an HMAC: docs/review-packages.md.

export const DECISION_FILE_MAX_BYTES = 8 * 1024 * 1024;
const id = z.string().min(1).max(512);

const decisionSetSchema = z
  .object({
    users: z.array(
      z.object({ userId: id, include: z.boolean(), note: z.string().max(500).nullable() }).strict(),
    ),
    survivors: z.array(id),
    policies: z.array(z.object({ code: z.string().max(64), value: z.string().max(64) }).strict()),
    roles: z.array(
      z.object({ roleId: id, slug: z.string().max(64), name: z.string().max(64).nullable() }).strict(),
    ),
    metadataMapping: metadataMappingSchema.nullable(),
  })
  .strict();

const bodySchema = z
  .object({
    format: z.literal('a2w-decisions'),
    version: z.literal(1),
    workspace: z.object({ id: z.string().min(1).max(200), name: z.string().max(200) }).strict(),
    reviewed: z
      .object({
        dataDigest: z.string().regex(/^[0-9a-f]{64}$/),
        baseDecisionsDigest: z.string().regex(/^[0-9a-f]{64}$/),
      })
      .strict(),
    decisionsDigest: z.string().regex(/^[0-9a-f]{64}$/),
    createdAt: z.string().max(40),
    signer: z.object({ name: z.string().trim().min(1).max(150), publicKey: z.string().max(100) }).strict(),
    signOff: z
      .object({
        reviewer: z.string().min(1).max(150),
        note: z.string().max(500).nullable(),
        at: z.string().max(40),
      })
      .strict()
      .nullable(),
    decisions: decisionSetSchema,
  })
  .strict();
export type DecisionFileBody = z.infer<typeof bodySchema>;

const fileSchema = bodySchema.extend({ signature: z.string().max(200) }).strict();

export interface DecisionChange {
  kind: 'user' | 'survivor' | 'policy' | 'role' | 'metadata_mapping';
  /** User id, role id or policy code. */
  target: string;
  from: string;
  to: string;
}

export interface DecisionFilePreview {
  workspaceName: string;
  signer: string;
  fingerprint: string;
  createdAt: string;
  signOff: { reviewer: string; note: string | null; at: string } | null;
  changes: DecisionChange[];
  /** SHA-256 of the file's bytes, for the audit log. */
  fileDigest: string;
}

function bytesToSign(body: DecisionFileBody): Buffer {
  return Buffer.from(canonicalJson(body), 'utf8');
}

/** Writes the signed decision file of a review copy (or of any workspace opened from a redacted package). */
export function exportDecisionFile(
  ws: Workspace,
  target: DecisionTarget,
  key: ReviewerKey,
  signerName: string,
): { fileName: string; text: string; fingerprint: string; decisions: number; signedOff: boolean } {
  const origin = packageOrigin(ws);
  if (!origin || !isReviewCopy(ws))
    throw new AppError(
      'invalid_input',
      'Decision files are written from a review copy (a redacted package opened on the reviewer’s computer).',
      'In the original workspace, decisions are recorded directly.',
    );
  const name = signerName.trim();
  if (!name || name.length > 150)
    throw new AppError('invalid_input', 'Give the signer’s name (1 to 150 characters).');
  const st = signOffState(ws);
  const last = st.history[st.history.length - 1];
  const decisions = readDecisionSet(ws);
  const body: DecisionFileBody = {
    format: 'a2w-decisions',
    version: 1,
    workspace: { id: origin.workspaceId, name: origin.workspaceName },
    reviewed: { dataDigest: origin.dataDigest, baseDecisionsDigest: origin.decisionsDigest },
    decisionsDigest: decisionsDigest(ws),
    createdAt: new Date().toISOString(),
    signer: { name, publicKey: key.publicKey },
    signOff: st.signed && last ? { reviewer: last.reviewer, note: last.note, at: last.at } : null,
    decisions: decisions as DecisionFileBody['decisions'],
  };
  const parsed = bodySchema.parse(body);
  const text = `${JSON.stringify({ ...parsed, signature: signBytes(key, bytesToSign(parsed)) }, null, 2)}\n`;
  const count =
    decisions.users.length + decisions.survivors.length + decisions.policies.length + decisions.roles.length;
  target.audit.append({
    actor: name,
    action: 'review.decisions.exported',
    details: { keyFingerprint: key.fingerprint, decisions: count, signedOff: body.signOff !== null },
  });
  const stamp = body.createdAt.replace(/[:.]/g, '-');
  return {
    fileName: `decisions-${stamp}.a2w-decisions.json`,
    text,
    fingerprint: key.fingerprint,
    decisions: count,
    signedOff: body.signOff !== null,
  };
}

function refused(why: string, hint?: string): AppError {
  return new AppError('invalid_input', `The decision file was refused: ${why}`, hint);
}

/** Parses and verifies the signature; nothing about the workspace yet. */
export function verifyDecisionFile(text: string): {
  body: DecisionFileBody;
  fingerprint: string;
  fileDigest: string;
} {
  if (Buffer.byteLength(text, 'utf8') > DECISION_FILE_MAX_BYTES)
    throw refused('it is larger than a decision file can be (8 MB).');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw refused('it is not JSON (damaged, or not a decision file).');
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw refused(
      `it is not a valid decision file (${issue ? `${issue.path.join('.') || 'top level'}: ${issue.message}` : 'shape'}).`,
    );
  }
  const { signature, ...body } = parsed.data;
  if (!verifyBytes(body.signer.publicKey, bytesToSign(body), signature))
    throw refused(
      'its signature does not verify: it was altered after it was signed.',
      'Ask the reviewer to export the decisions again and send the file unchanged.',
    );
  return {
    body,
    fingerprint: fingerprintOf(body.signer.publicKey),
    fileDigest: createHash('sha256').update(text, 'utf8').digest('hex'),
  };
}

const show = (v: unknown) =>
  v === null || v === undefined ? 'default' : typeof v === 'string' ? v : JSON.stringify(v);

function diff(here: DecisionSet, file: DecisionFileBody['decisions'], ws: Workspace): DecisionChange[] {
  const out: DecisionChange[] = [];
  const usersHere = new Map(here.users.map((u) => [u.userId, u]));
  const usersThere = new Map(file.users.map((u) => [u.userId, u]));
  const word = (u: { include: boolean } | undefined) => (u ? (u.include ? 'include' : 'exclude') : 'default');
  for (const idv of [...new Set([...usersHere.keys(), ...usersThere.keys()])].sort()) {
    const a = usersHere.get(idv);
    const b = usersThere.get(idv);
    if (a?.include !== b?.include || (a?.note ?? null) !== (b?.note ?? null))
      out.push({ kind: 'user', target: idv, from: word(a), to: word(b) });
  }
  // Survivors are compared per duplicate group (the group is the user's lowercased address, looked up here).
  const groupOf = ws.db.prepare('SELECT email_lower FROM auth0_users WHERE user_id = ?').pluck();
  const byGroup = (ids: string[]) => {
    const m = new Map<string, string>();
    for (const u of ids) {
      const g = groupOf.get(u) as string | null | undefined;
      if (!g) throw refused('it names a surviving account that is not in this workspace.');
      m.set(g, u);
    }
    return m;
  };
  const sHere = byGroup(here.survivors);
  const sThere = byGroup(file.survivors);
  for (const g of new Set([...sHere.keys(), ...sThere.keys()])) {
    const a = sHere.get(g);
    const b = sThere.get(g);
    if (a !== b) out.push({ kind: 'survivor', target: b ?? a!, from: a ?? 'default', to: b ?? 'default' });
  }
  const pHere = new Map(here.policies.map((p) => [p.code, p.value]));
  const pThere = new Map(file.policies.map((p) => [p.code, p.value]));
  for (const c of [...new Set([...pHere.keys(), ...pThere.keys()])].sort())
    if (pHere.get(c) !== pThere.get(c))
      out.push({ kind: 'policy', target: c, from: show(pHere.get(c)), to: show(pThere.get(c)) });
  const rHere = new Map(here.roles.map((r) => [r.roleId, r]));
  const rThere = new Map(file.roles.map((r) => [r.roleId, r]));
  const roleWord = (r: { slug: string; name: string | null } | undefined) =>
    r ? `${r.slug}${r.name ? ` (${r.name})` : ''}` : 'default';
  for (const rid of [...new Set([...rHere.keys(), ...rThere.keys()])].sort())
    if (roleWord(rHere.get(rid)) !== roleWord(rThere.get(rid)))
      out.push({ kind: 'role', target: rid, from: roleWord(rHere.get(rid)), to: roleWord(rThere.get(rid)) });
  if (canonicalJson(here.metadataMapping) !== canonicalJson(file.metadataMapping))
    out.push({
      kind: 'metadata_mapping',
      target: 'metadata',
      from: here.metadataMapping === null ? 'default' : 'custom',
      to: file.metadataMapping === null ? 'default' : 'custom',
    });
  return out;
}

/** Verifies a decision file against this workspace and lists what applying it would change. */
export function previewDecisionFile(ws: Workspace, text: string): DecisionFilePreview {
  const { body, fingerprint, fileDigest } = verifyDecisionFile(text);
  if (body.workspace.id !== ws.id)
    throw refused(
      `it was made for another workspace ("${body.workspace.name}"), not for "${ws.name}".`,
      'Apply it to the workspace the reviewed package was saved from.',
    );
  if (body.reviewed.dataDigest !== reviewDataDigest(ws))
    throw refused(
      'it is stale: the data of this workspace changed after the package was saved (a new export or password merge), so the reviewer looked at other data.',
      'Save a new redacted package for the reviewer and have the review done again.',
    );
  const current = decisionsDigest(ws);
  if (current === body.decisionsDigest && (!body.signOff || signOffState(ws).signed))
    throw refused('it is already applied: this workspace holds exactly these decisions.');
  if (current !== body.reviewed.baseDecisionsDigest && current !== body.decisionsDigest)
    throw refused(
      'it is stale: decisions in this workspace changed after the package was saved, and applying the file would overwrite them.',
      'Save a new redacted package with the current decisions and have the reviewer decide on that one.',
    );
  const st = signOffState(ws);
  if (st.signed)
    throw refused(
      `the review here is signed off by ${st.reviewer}, so its decisions are locked.`,
      'Reopen the review, then apply the file.',
    );
  return {
    workspaceName: ws.name,
    signer: body.signer.name,
    fingerprint,
    createdAt: body.createdAt,
    signOff: body.signOff,
    changes: diff(readDecisionSet(ws), body.decisions, ws),
    fileDigest,
  };
}

/**
 * Applies a decision file after `previewDecisionFile`'s checks, provided the caller confirms the signer's key
 * fingerprint (as the reviewer read it to them). All or nothing: one transaction, and the resulting decisions must
 * hash to the digest the reviewer signed.
 */
export function applyDecisionFile(
  ws: Workspace,
  text: string,
  confirmedFingerprint: string,
): DecisionFilePreview & { signedOff: boolean } {
  ws.assertWritable();
  const preview = previewDecisionFile(ws, text);
  if (normalizeFingerprint(confirmedFingerprint) !== normalizeFingerprint(preview.fingerprint))
    throw refused(
      `it was signed with key ${preview.fingerprint}, not with the key you confirmed.`,
      'Compare the fingerprint with the reviewer (it is shown when they export); apply only if it matches.',
    );
  const { body } = verifyDecisionFile(text);
  const actor = `${body.signer.name} [key ${preview.fingerprint}]`;
  const fileUsers = new Map(body.decisions.users.map((u) => [u.userId, u]));
  const fileRoles = new Map(body.decisions.roles.map((r) => [r.roleId, r]));
  const filePolicies = new Map(body.decisions.policies.map((p) => [p.code, p.value]));
  ws.db.transaction(() => {
    for (const c of preview.changes) {
      if (c.kind === 'user') {
        const u = fileUsers.get(c.target);
        setUserDecisions(ws, actor, [c.target], u ? u.include : null, u?.note ?? undefined);
      } else if (c.kind === 'survivor') {
        if (c.to === 'default') clearSurvivor(ws, actor, c.from);
        else chooseSurvivor(ws, actor, c.to);
      } else if (c.kind === 'policy') {
        const v = filePolicies.get(c.target);
        if (v === undefined) clearPolicy(ws, actor, c.target);
        else setPolicy(ws, actor, c.target, v);
      } else if (c.kind === 'role') {
        const r = fileRoles.get(c.target);
        setRoleMapping(ws, actor, c.target, r ? r.slug : null, r?.name ?? undefined);
      } else setMetadataMapping(ws, actor, body.decisions.metadataMapping);
    }
    if (decisionsDigest(ws) !== body.decisionsDigest)
      throw refused(
        'applied here, its decisions do not add up to the state the reviewer signed (the workspaces disagree on a role or user).',
      );
    ws.audit.append({
      actor,
      action: 'review.decisions.applied',
      details: {
        keyFingerprint: preview.fingerprint,
        fileDigest: preview.fileDigest,
        changes: preview.changes.length,
        signOff: body.signOff !== null,
      },
    });
    if (body.signOff) {
      const note = `${body.signOff.note ? `${body.signOff.note} ` : ''}(signed in the reviewer's copy at ${body.signOff.at}; key ${preview.fingerprint})`;
      signOff(ws, `${body.signOff.reviewer.slice(0, 150)} [key ${preview.fingerprint}]`, note.slice(0, 500));
    }
  })();
  return { ...preview, signedOff: body.signOff !== null };
}
