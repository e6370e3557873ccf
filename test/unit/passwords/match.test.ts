import { describe, expect, it } from 'vitest';
import {
  matchLine,
  matchMfaSecretLine,
  parseMfaSecretLine,
  validateBase32Secret,
  type IndexedUser,
  type UserIndex,
} from '../../../src/main/passwords/match';

// A small in-memory index with the same contract the export tables will provide.
function indexOf(users: (IndexedUser & { email?: string })[]): UserIndex {
  const byId = new Map(users.map((u) => [u.userId, u]));
  return {
    byId: (id) => {
      const u = byId.get(id);
      return (
        u && { userId: u.userId, connection: u.connection, isDatabase: u.isDatabase, blocked: u.blocked }
      );
    },
    byEmail: (email, connection) =>
      users
        .filter((u) => u.isDatabase && u.connection === connection && u.email?.toLowerCase() === email)
        .map((u) => u.userId),
  };
}

const DB = 'Username-Password-Authentication';
const LEGACY = 'legacy-db';
const HASH = '$2b$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234';

const index = indexOf([
  {
    userId: 'auth0|5dea9f9c82dd7c0e76e4ec93',
    connection: DB,
    isDatabase: true,
    blocked: false,
    email: 'ann@example.com',
  },
  {
    userId: 'auth0|legacy-42',
    connection: LEGACY,
    isDatabase: true,
    blocked: false,
    email: 'bob@example.com',
  },
  { userId: 'auth0|aaa111', connection: DB, isDatabase: true, blocked: false, email: 'same@example.com' },
  { userId: 'auth0|bbb222', connection: LEGACY, isDatabase: true, blocked: false, email: 'same@example.com' },
  { userId: 'auth0|dup1', connection: DB, isDatabase: true, blocked: false, email: 'twin@example.com' },
  { userId: 'auth0|dup2', connection: DB, isDatabase: true, blocked: false, email: 'twin@example.com' },
  { userId: 'auth0|blocked1', connection: DB, isDatabase: true, blocked: true, email: 'carl@example.com' },
  {
    userId: 'auth0|social-shaped',
    connection: 'google-oauth2',
    isDatabase: false,
    blocked: false,
    email: 'g@example.com',
  },
  { userId: 'auth0|noemail', connection: DB, isDatabase: true, blocked: false, email: 'ident@example.com' },
]);

const line = (extra: Record<string, unknown>) => ({
  passwordHash: HASH,
  connection: DB,
  tenant: 'acme',
  ...extra,
});

describe('matchLine', () => {
  it('matches on auth0|<_id.$oid> with the connection', () => {
    const r = matchLine(
      line({ _id: { $oid: '5dea9f9c82dd7c0e76e4ec93' }, email: 'someone-else@example.com' }),
      index,
      new Set(),
    );
    expect(r).toEqual({ outcome: 'matched', userId: 'auth0|5dea9f9c82dd7c0e76e4ec93', via: 'id' });
  });

  it('prefers alt_id over _id', () => {
    const r = matchLine(
      line({ _id: { $oid: 'ffffffffffffffffffffffff' }, alt_id: 'legacy-42', connection: LEGACY }),
      index,
      new Set(),
    );
    expect(r).toEqual({ outcome: 'matched', userId: 'auth0|legacy-42', via: 'id' });
  });

  it('accepts an $oid that already carries auth0|', () => {
    const r = matchLine(line({ _id: { $oid: 'auth0|5dea9f9c82dd7c0e76e4ec93' } }), index, new Set());
    expect(r).toMatchObject({ outcome: 'matched', userId: 'auth0|5dea9f9c82dd7c0e76e4ec93', via: 'id' });
  });

  it('does not match an id found in another connection by id', () => {
    const r = matchLine(line({ _id: { $oid: 'legacy-42' }, connection: DB }), index, new Set());
    expect(r.outcome).toBe('no_such_user');
  });

  it('keeps the same email in two connections apart', () => {
    const a = matchLine(
      line({ _id: { $oid: 'unknown1' }, email: 'SAME@example.com', connection: DB }),
      index,
      new Set(),
    );
    const b = matchLine(
      line({ _id: { $oid: 'unknown2' }, email: 'same@example.com', connection: LEGACY }),
      index,
      new Set(),
    );
    expect(a).toEqual({ outcome: 'matched', userId: 'auth0|aaa111', via: 'email' });
    expect(b).toEqual({ outcome: 'matched', userId: 'auth0|bbb222', via: 'email' });
  });

  it('falls back to identifiers[type=email] when the root email is missing', () => {
    const r = matchLine(
      line({
        _id: { $oid: 'not-exported' },
        identifiers: [
          { type: 'username', value: 'ident' },
          { type: 'email', value: 'Ident@Example.com', verified: true },
        ],
      }),
      index,
      new Set(),
    );
    expect(r).toEqual({ outcome: 'matched', userId: 'auth0|noemail', via: 'email' });
  });

  it('reports an email shared by several users of the connection as ambiguous', () => {
    const r = matchLine(line({ _id: { $oid: 'not-exported' }, email: 'twin@example.com' }), index, new Set());
    expect(r).toMatchObject({ outcome: 'ambiguous', candidates: 2 });
    expect(r.userId).toBeUndefined();
    expect(r.problem).not.toContain('twin@');
  });

  it('reports a second line for the same user as duplicate', () => {
    const seen = new Set<string>();
    expect(matchLine(line({ _id: { $oid: 'aaa111' } }), index, seen).outcome).toBe('matched');
    const again = matchLine(line({ _id: { $oid: 'zzz' }, email: 'same@example.com' }), index, seen);
    expect(again).toMatchObject({ outcome: 'duplicate', userId: 'auth0|aaa111', via: 'email' });
  });

  it('reports a user outside database connections', () => {
    const r = matchLine(
      line({ _id: { $oid: 'social-shaped' }, connection: 'google-oauth2' }),
      index,
      new Set(),
    );
    expect(r).toMatchObject({ outcome: 'not_database_user', userId: 'auth0|social-shaped' });
  });

  it('flags a blocked user but still names them (hash kept)', () => {
    const r = matchLine(line({ _id: { $oid: 'blocked1' } }), index, new Set());
    expect(r).toMatchObject({ outcome: 'blocked', userId: 'auth0|blocked1', via: 'id' });
  });

  it('reports no such user', () => {
    expect(
      matchLine(line({ _id: { $oid: 'nobody' }, email: 'nobody@example.com' }), index, new Set()).outcome,
    ).toBe('no_such_user');
  });

  it.each([
    ['not an object', 'text'],
    ['no connection', { _id: { $oid: 'aaa111' }, passwordHash: HASH }],
    ['no hash', { _id: { $oid: 'aaa111' }, connection: DB }],
    ['no key at all', { passwordHash: HASH, connection: DB }],
  ])('reports an invalid line: %s', (_label, record) => {
    const r = matchLine(record, index, new Set());
    expect(r.outcome).toBe('invalid');
    expect(r.problem).toBeTruthy();
  });
});

describe('MFA-secret lines', () => {
  const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'; // 20 bytes

  it('validates Base32 strictly', () => {
    expect(validateBase32Secret(SECRET)).toEqual({ ok: true, secret: SECRET, bytes: 20 });
    expect(validateBase32Secret(SECRET.toLowerCase())).toMatchObject({ ok: true, secret: SECRET });
    expect(validateBase32Secret('JBSWY3DPEHPK3PXPJBSWY3DPEE======')).toMatchObject({ ok: true, bytes: 16 });
    expect(validateBase32Secret('JBSWY3DPEHPK3PXPJBSWY3DPEE===')).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/padding/),
    });
    expect(validateBase32Secret('JBSWY3DPEHPK3PXP1BSWY3DP')).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/alphabet/),
    });
    expect(validateBase32Secret('JBSW Y3DP EHPK 3PXP')).toMatchObject({ ok: false });
    expect(validateBase32Secret('JBSWY3DPEHPK3PXPJ')).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/whole number/),
    });
    expect(validateBase32Secret('JBSWY3DP')).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/at least/),
    });
    expect(validateBase32Secret('')).toMatchObject({ ok: false });
  });

  it('parses lines keyed by user id or by email', () => {
    expect(parseMfaSecretLine({ user_id: 'auth0|aaa111', type: 'totp', totp_secret: SECRET })).toEqual({
      ok: true,
      userId: 'auth0|aaa111',
      secret: SECRET,
    });
    expect(
      parseMfaSecretLine({ email: 'Ann@Example.com', connection: DB, secret: SECRET.toLowerCase() }),
    ).toEqual({
      ok: true,
      email: 'ann@example.com',
      connection: DB,
      secret: SECRET,
    });
  });

  it.each([
    ['not an object', 42],
    ['no key', { totp_secret: SECRET }],
    ['no secret', { user_id: 'auth0|aaa111' }],
    ['secret not a string', { user_id: 'auth0|aaa111', totp_secret: 12345 }],
    ['an SMS enrolment', { user_id: 'auth0|aaa111', type: 'phone', totp_secret: SECRET }],
    ['bad Base32', { user_id: 'auth0|aaa111', totp_secret: 'not-base32!' }],
  ])('reports anything else: %s', (_label, record) => {
    const r = parseMfaSecretLine(record);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).not.toContain(SECRET);
  });

  it('matches secrets to users by id (any connection) or by unique email', () => {
    const seen = new Set<string>();
    const byId = parseMfaSecretLine({ user_id: 'auth0|social-shaped', totp_secret: SECRET });
    const byEmail = parseMfaSecretLine({ email: 'bob@example.com', connection: LEGACY, totp_secret: SECRET });
    if (!byId.ok || !byEmail.ok) throw new Error('fixture lines should parse');
    expect(matchMfaSecretLine(byId, index, seen)).toMatchObject({
      outcome: 'matched',
      userId: 'auth0|social-shaped',
    });
    expect(matchMfaSecretLine(byEmail, index, seen)).toMatchObject({
      outcome: 'matched',
      userId: 'auth0|legacy-42',
      via: 'email',
    });
    expect(matchMfaSecretLine(byEmail, index, seen).outcome).toBe('duplicate');
  });
});
