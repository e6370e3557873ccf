import { createHash } from 'node:crypto';
import { AppError } from '../../shared/errors';
import type { AuditLog } from '../workspace';
import { canonicalJson } from '../workspace/canonical';
import {
  METADATA_MAPPING_SETTING,
  metadataMappingSchema,
  policySchemas,
  type MetadataMapping,
  type PolicyCode,
  policyCodes,
} from './config';
import { WORKOS_LIMITS } from './limits';
import type { HasDb } from './mapping';
import { SLUG_PATTERN } from './roles';

// Decisions the admin takes in the review, stored in the workspace and recorded in the audit log (counts and
// codes only: user ids can contain email addresses). A sign-off by a named reviewer locks them until reopened;
// its digest proves later that nothing changed after signing.

export interface DecisionTarget extends HasDb {
  audit: Pick<AuditLog, 'append'>;
  assertWritable(): void;
}

export interface SignOffState {
  signed: boolean;
  reviewer: string | null;
  at: string | null;
  /** Digest of the decisions at sign-off. */
  digest: string | null;
  /** False if the decisions no longer match the signed digest (the file was edited behind the app's back). */
  intact: boolean;
  history: { action: 'signed' | 'reopened'; reviewer: string; at: string; note: string | null }[];
}

function now(): string {
  return new Date().toISOString();
}

function checkActor(actor: string): string {
  const a = typeof actor === 'string' ? actor.trim() : '';
  if (!a || a.length > 200)
    throw new AppError('invalid_input', 'A decision needs the name of who takes it (1 to 200 characters).');
  return a;
}

/** Digest over every decision table, in key order: what a sign-off covers. */
export function decisionsDigest(ws: HasDb): string {
  const h = createHash('sha256');
  const tables: [string, string][] = [
    ['review_user_decisions', 'SELECT user_id, include, note FROM review_user_decisions ORDER BY user_id'],
    ['review_survivors', 'SELECT email_lower, survivor_user_id FROM review_survivors ORDER BY email_lower'],
    ['review_policies', 'SELECT code, value FROM review_policies ORDER BY code'],
    ['review_role_map', 'SELECT role_id, slug, name FROM review_role_map ORDER BY role_id'],
    ['metadata_mapping', "SELECT value_json FROM settings WHERE key = 'review.metadataMapping'"],
  ];
  for (const [name, sql] of tables) {
    h.update(name);
    for (const row of ws.db.prepare(sql).iterate()) h.update(canonicalJson(row));
  }
  return h.digest('hex');
}

export function signOffState(ws: HasDb): SignOffState {
  const history = ws.db
    .prepare('SELECT action, reviewer, at, note, decisions_digest FROM review_signoffs ORDER BY seq')
    .all() as {
    action: 'signed' | 'reopened';
    reviewer: string;
    at: string;
    note: string | null;
    decisions_digest: string;
  }[];
  const last = history[history.length - 1];
  const signed = last?.action === 'signed';
  return {
    signed,
    reviewer: signed ? last.reviewer : null,
    at: signed ? last.at : null,
    digest: signed ? last.decisions_digest : null,
    intact: signed ? decisionsDigest(ws) === last.decisions_digest : true,
    history: history.map(({ action, reviewer, at, note }) => ({ action, reviewer, at, note })),
  };
}

function assertOpen(ws: DecisionTarget): void {
  ws.assertWritable();
  const s = signOffState(ws);
  if (s.signed) {
    throw new AppError(
      'invalid_input',
      `The review was signed off by ${s.reviewer} at ${s.at}; its decisions are locked.`,
      'Reopen the review to change a decision (the sign-off is then withdrawn).',
    );
  }
}

/** Include or exclude users (explicit include overrides policies, not a missing email or a merge). */
export function setUserDecisions(
  ws: DecisionTarget,
  actor: string,
  userIds: string[],
  include: boolean | null,
  note?: string,
): number {
  const who = checkActor(actor);
  assertOpen(ws);
  const known = ws.db.prepare('SELECT 1 FROM auth0_users WHERE user_id = ?').pluck();
  const upsert = ws.db.prepare(
    `INSERT INTO review_user_decisions (user_id, include, note, decided_by, decided_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (user_id) DO UPDATE SET include = excluded.include, note = excluded.note,
       decided_by = excluded.decided_by, decided_at = excluded.decided_at`,
  );
  const del = ws.db.prepare('DELETE FROM review_user_decisions WHERE user_id = ?');
  const at = now();
  let n = 0;
  ws.db.transaction(() => {
    userIds.forEach((id, i) => {
      if (!known.get(id))
        throw new AppError('not_found', `User #${i + 1} of the decision is not in the workspace.`);
      if (include === null) n += del.run(id).changes;
      else n += upsert.run(id, include ? 1 : 0, note ?? null, who, at).changes;
    });
    ws.audit.append({
      actor: who,
      action: 'review.decide.users',
      details: {
        users: userIds.length,
        decision: include === null ? 'cleared' : include ? 'include' : 'exclude',
      },
    });
  })();
  return n;
}

/** Chooses the surviving account of its duplicate-email group. */
export function chooseSurvivor(
  ws: DecisionTarget,
  actor: string,
  survivorUserId: string,
): { merged: number } {
  const who = checkActor(actor);
  assertOpen(ws);
  const row = ws.db.prepare('SELECT email_lower FROM auth0_users WHERE user_id = ?').get(survivorUserId) as
    { email_lower: string | null } | undefined;
  if (!row) throw new AppError('not_found', 'That user is not in the workspace.');
  if (!row.email_lower)
    throw new AppError('invalid_input', 'That user has no email address, so it is in no duplicate group.');
  const size = ws.db
    .prepare('SELECT count(*) FROM auth0_users WHERE email_lower = ?')
    .pluck()
    .get(row.email_lower) as number;
  if (size < 2)
    throw new AppError('invalid_input', 'That user shares its email address with no other account.');
  ws.db.transaction(() => {
    ws.db
      .prepare(
        `INSERT INTO review_survivors (email_lower, survivor_user_id, decided_by, decided_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (email_lower) DO UPDATE SET survivor_user_id = excluded.survivor_user_id,
           decided_by = excluded.decided_by, decided_at = excluded.decided_at`,
      )
      .run(row.email_lower, survivorUserId, who, now());
    ws.audit.append({ actor: who, action: 'review.decide.survivor', details: { groupSize: size } });
  })();
  return { merged: size - 1 };
}

export function setPolicy(ws: DecisionTarget, actor: string, code: string, value: string): void {
  const who = checkActor(actor);
  assertOpen(ws);
  if (!policyCodes.includes(code as PolicyCode))
    throw new AppError('invalid_input', `Unknown policy "${code}".`, `Policies: ${policyCodes.join(', ')}.`);
  const schema = policySchemas[code as PolicyCode];
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new AppError(
      'invalid_input',
      `"${value}" is not a value of policy ${code}.`,
      `Values: ${schema.options.join(', ')}.`,
    );
  ws.db.transaction(() => {
    ws.db
      .prepare(
        `INSERT INTO review_policies (code, value, decided_by, decided_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (code) DO UPDATE SET value = excluded.value, decided_by = excluded.decided_by, decided_at = excluded.decided_at`,
      )
      .run(code, parsed.data, who, now());
    ws.audit.append({
      actor: who,
      action: 'review.decide.policy',
      details: { policy: code, value: parsed.data },
    });
  })();
}

/** Edits the WorkOS slug (and optionally name) of an Auth0 role; slug null removes the edit. */
export function setRoleMapping(
  ws: DecisionTarget,
  actor: string,
  roleId: string,
  slug: string | null,
  name?: string,
): void {
  const who = checkActor(actor);
  assertOpen(ws);
  if (!ws.db.prepare('SELECT 1 FROM auth0_roles WHERE role_id = ?').get(roleId))
    throw new AppError('not_found', `No Auth0 role ${roleId} in the workspace.`);
  if (slug !== null && (!SLUG_PATTERN.test(slug) || slug.length > WORKOS_LIMITS.roleSlugLength))
    throw new AppError(
      'invalid_input',
      `"${slug}" is not a valid WorkOS role slug.`,
      'Use 1 to 48 lowercase letters, digits, hyphens and underscores, starting with a letter or digit.',
    );
  if (name !== undefined && (name.length === 0 || name.length > WORKOS_LIMITS.roleNameLength))
    throw new AppError('invalid_input', 'A WorkOS role name must be 1 to 48 characters.');
  ws.db.transaction(() => {
    if (slug === null) ws.db.prepare('DELETE FROM review_role_map WHERE role_id = ?').run(roleId);
    else
      ws.db
        .prepare(
          `INSERT INTO review_role_map (role_id, slug, name, decided_by, decided_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (role_id) DO UPDATE SET slug = excluded.slug, name = excluded.name,
             decided_by = excluded.decided_by, decided_at = excluded.decided_at`,
        )
        .run(roleId, slug, name ?? null, who, now());
    ws.audit.append({
      actor: who,
      action: 'review.decide.role',
      details: { roleId, slug: slug ?? 'default' },
    });
  })();
}

export function signOff(ws: DecisionTarget, reviewer: string, note?: string): SignOffState {
  const who = checkActor(reviewer);
  assertOpen(ws);
  const digest = decisionsDigest(ws);
  ws.db.transaction(() => {
    ws.db
      .prepare(
        "INSERT INTO review_signoffs (action, reviewer, at, decisions_digest, note) VALUES ('signed', ?, ?, ?, ?)",
      )
      .run(who, now(), digest, note ?? null);
    ws.audit.append({ actor: who, action: 'review.signoff', details: { digest } });
  })();
  return signOffState(ws);
}

export function reopen(ws: DecisionTarget, reviewer: string, note?: string): SignOffState {
  const who = checkActor(reviewer);
  ws.assertWritable();
  if (!signOffState(ws).signed) throw new AppError('invalid_input', 'The review is not signed off.');
  ws.db.transaction(() => {
    ws.db
      .prepare(
        "INSERT INTO review_signoffs (action, reviewer, at, decisions_digest, note) VALUES ('reopened', ?, ?, ?, ?)",
      )
      .run(who, now(), decisionsDigest(ws), note ?? null);
    ws.audit.append({ actor: who, action: 'review.reopen', details: {} });
  })();
  return signOffState(ws);
}

/** Removes the survivor choice of the duplicate-email group the user belongs to (back to the default survivor). */
export function clearSurvivor(ws: DecisionTarget, actor: string, userId: string): void {
  const who = checkActor(actor);
  assertOpen(ws);
  const email = ws.db.prepare('SELECT email_lower FROM auth0_users WHERE user_id = ?').pluck().get(userId) as
    string | null | undefined;
  if (!email) throw new AppError('not_found', 'That user is in no duplicate-email group of the workspace.');
  ws.db.transaction(() => {
    ws.db.prepare('DELETE FROM review_survivors WHERE email_lower = ?').run(email);
    ws.audit.append({ actor: who, action: 'review.decide.survivor', details: { cleared: true } });
  })();
}

/** Removes a policy decision (back to the default value). */
export function clearPolicy(ws: DecisionTarget, actor: string, code: string): void {
  const who = checkActor(actor);
  assertOpen(ws);
  ws.db.transaction(() => {
    ws.db.prepare('DELETE FROM review_policies WHERE code = ?').run(code);
    ws.audit.append({
      actor: who,
      action: 'review.decide.policy',
      details: { policy: code, value: 'default' },
    });
  })();
}

/** Sets the metadata field mapping (null: back to the default). */
export function setMetadataMapping(ws: DecisionTarget, actor: string, mapping: MetadataMapping | null): void {
  const who = checkActor(actor);
  assertOpen(ws);
  const parsed = mapping === null ? null : metadataMappingSchema.safeParse(mapping);
  if (parsed && !parsed.success) throw new AppError('invalid_input', 'The metadata mapping is not valid.');
  ws.db.transaction(() => {
    if (!parsed) ws.db.prepare('DELETE FROM settings WHERE key = ?').run(METADATA_MAPPING_SETTING);
    else
      ws.db
        .prepare(
          `INSERT INTO settings (key, value_json, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at`,
        )
        .run(METADATA_MAPPING_SETTING, JSON.stringify(parsed.data), now());
    ws.audit.append({
      actor: who,
      action: 'review.decide.metadata_mapping',
      details: { mapping: parsed ? 'custom' : 'default' },
    });
  })();
}

/** Every decision, in a stable order: what a decision file carries. Survivors by user id, never by address. */
export interface DecisionSet {
  users: { userId: string; include: boolean; note: string | null }[];
  survivors: string[];
  policies: { code: string; value: string }[];
  roles: { roleId: string; slug: string; name: string | null }[];
  metadataMapping: unknown;
}

export function readDecisionSet(ws: HasDb): DecisionSet {
  const users = (
    ws.db.prepare('SELECT user_id, include, note FROM review_user_decisions ORDER BY user_id').all() as {
      user_id: string;
      include: number;
      note: string | null;
    }[]
  ).map((r) => ({ userId: r.user_id, include: r.include === 1, note: r.note }));
  const survivors = ws.db
    .prepare('SELECT survivor_user_id FROM review_survivors ORDER BY email_lower')
    .pluck()
    .all() as string[];
  const policies = ws.db.prepare('SELECT code, value FROM review_policies ORDER BY code').all() as {
    code: string;
    value: string;
  }[];
  const roles = (
    ws.db.prepare('SELECT role_id, slug, name FROM review_role_map ORDER BY role_id').all() as {
      role_id: string;
      slug: string;
      name: string | null;
    }[]
  ).map((r) => ({ roleId: r.role_id, slug: r.slug, name: r.name }));
  const mm = ws.db
    .prepare('SELECT value_json FROM settings WHERE key = ?')
    .pluck()
    .get(METADATA_MAPPING_SETTING) as string | undefined;
  return { users, survivors, policies, roles, metadataMapping: mm === undefined ? null : JSON.parse(mm) };
}
