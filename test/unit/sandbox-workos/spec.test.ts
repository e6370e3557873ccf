import { describe, expect, it } from 'vitest';
import { specHasOperation, validateRequest } from '../../../src/main/sandbox/workos/spec';
import { routes, specTemplate } from '../../../src/main/sandbox/workos/routes';

const none = new URLSearchParams();

describe('WorkOS OpenAPI request validation', () => {
  it('documents every API route the sandbox serves', () => {
    for (const r of routes.filter((x) => x.inSpec !== false))
      expect(specHasOperation(r.method, specTemplate(r.pattern)), `${r.method} ${r.pattern}`).toBe(true);
  });

  it('accepts a create-user body with a password hash', () => {
    const body = {
      email: 'a@example.com',
      password_hash: '$2b$04$x',
      password_hash_type: 'bcrypt',
      metadata: { k: 'v' },
    };
    expect(validateRequest('POST', '/user_management/users', { body, query: none, params: {} })).toEqual([]);
  });

  it('rejects a wrong-typed field, a missing required field and an unknown hash type', () => {
    const wrongType = validateRequest('POST', '/user_management/users', {
      body: { email: 42 },
      query: none,
      params: {},
    });
    expect(wrongType).toContainEqual(expect.objectContaining({ field: 'body/email', code: 'type' }));
    const missing = validateRequest('POST', '/organizations', {
      body: { external_id: 'x' },
      query: none,
      params: {},
    });
    expect(missing).toContainEqual(expect.objectContaining({ field: 'body/name', code: 'required' }));
    const badEnum = validateRequest('POST', '/user_management/users', {
      body: { email: 'a@example.com', password_hash: 'h', password_hash_type: 'md5' },
      query: none,
      params: {},
    });
    expect(badEnum.some((i) => i.field === 'body/password_hash_type' && i.code === 'enum')).toBe(true);
  });

  it('enforces the mutually exclusive role_slug / role_slugs of a membership', () => {
    const both = validateRequest('POST', '/user_management/organization_memberships', {
      body: { user_id: 'u', organization_id: 'o', role_slug: 'a', role_slugs: ['b'] },
      query: none,
      params: {},
    });
    expect(both.length).toBeGreaterThan(0);
    const one = validateRequest('POST', '/user_management/organization_memberships', {
      body: { user_id: 'u', organization_id: 'o', role_slugs: ['a', 'b'] },
      query: none,
      params: {},
    });
    expect(one).toEqual([]);
  });

  it('validates query parameters with string-to-number coercion', () => {
    expect(
      validateRequest('GET', '/user_management/users', {
        body: undefined,
        query: new URLSearchParams('limit=100'),
        params: {},
      }),
    ).toEqual([]);
    expect(
      validateRequest('GET', '/user_management/users', {
        body: undefined,
        query: new URLSearchParams('limit=101'),
        params: {},
      }),
    ).toContainEqual(expect.objectContaining({ field: 'query/limit', code: 'maximum' }));
    expect(
      validateRequest('GET', '/organizations', {
        body: undefined,
        query: new URLSearchParams('order=sideways'),
        params: {},
      }),
    ).toContainEqual(expect.objectContaining({ field: 'query/order', code: 'enum' }));
  });

  it('requires a body where the spec does', () => {
    expect(
      validateRequest('POST', '/authorization/roles', { body: undefined, query: none, params: {} }),
    ).toContainEqual(expect.objectContaining({ field: 'body', code: 'required' }));
  });

  it('throws for an operation the spec does not document', () => {
    expect(() => validateRequest('POST', '/no/such/path', { body: {}, query: none, params: {} })).toThrow(
      /no POST/,
    );
  });
});
