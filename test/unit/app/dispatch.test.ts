import { describe, expect, it } from 'vitest';
import { createDispatcher, type Handlers } from '../../../src/main/api/dispatch';
import { isAllowedExternalUrl } from '../../../src/main/api/external-links';
import { assertLoopbackUrl, isLoopbackHost } from '../../../src/main/net/loopback';
import { AppError } from '../../../src/shared/errors';

// Only the operations a test touches need an implementation; the rest throw if ever reached.
function handlers(overrides: Partial<Handlers>): Handlers {
  return new Proxy(overrides as Handlers, {
    get: (target, key: string) =>
      (target as Record<string, unknown>)[key] ??
      (async () => {
        throw new Error(`unexpected call to ${key}`);
      }),
  });
}

describe('contract dispatcher', () => {
  it('refuses an unknown operation without calling anything', async () => {
    const r = await createDispatcher(handlers({}))('fs.readFile', { path: '/etc/passwd' });
    expect(r).toEqual({ ok: false, error: { code: 'invalid_input', message: 'Unknown operation.' } });
  });

  it('validates input before the handler and names the field, not the value', async () => {
    let called = false;
    const d = createDispatcher(
      handlers({
        'credentials.setAuth0': async () => {
          called = true;
          return { auth0: null, workos: null, lastTest: null };
        },
      }),
    );
    const r = await d('credentials.setAuth0', {
      domain: 'not a domain!',
      clientId: 'x',
      clientSecret: 'hunter2-secret',
      extra: 1,
    });
    expect(called).toBe(false);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('invalid_input');
      expect(r.error.message).toMatch(/domain/);
      expect(r.error.message).not.toContain('hunter2-secret');
    }
  });

  it('passes AppErrors through and hides everything else', async () => {
    const d = createDispatcher(
      handlers({
        'workspace.current': async () => {
          throw new AppError('no_workspace', 'No workspace is open.', 'Create one.');
        },
        'workspace.recent': async () => {
          throw new Error('SQLITE_CORRUPT at /home/ann/ws.sqlite: ann@example.com');
        },
      }),
    );
    expect(await d('workspace.current', {})).toEqual({
      ok: false,
      error: { code: 'no_workspace', message: 'No workspace is open.', hint: 'Create one.' },
    });
    const hidden = await d('workspace.recent', {});
    expect(hidden.ok).toBe(false);
    if (!hidden.ok) {
      expect(hidden.error.code).toBe('internal');
      expect(hidden.error.message).not.toMatch(/ann|SQLITE/);
    }
  });

  it('checks outputs against the contract', async () => {
    const d = createDispatcher(
      handlers({ 'workspace.defaultFolder': async () => ({ folder: 42 }) as never }),
    );
    const r = await d('workspace.defaultFolder', {});
    expect(r.ok).toBe(false);
  });
});

describe('loopback-only overrides and external links', () => {
  it.each([
    ['http://127.0.0.1:4010', true],
    ['http://127.9.9.9', true],
    ['http://[::1]:80/', true],
    ['http://localhost:3000', true],
    ['https://api.workos.com', false],
    ['http://10.0.0.5', false],
    ['http://127.0.0.1.evil.com', false],
    ['http://user:pw@127.0.0.1', false],
  ])('%s -> %s', (url, ok) => {
    if (ok) expect(assertLoopbackUrl(url, 'x').hostname).toBeTruthy();
    else expect(() => assertLoopbackUrl(url, 'x')).toThrow(AppError);
  });
  it('recognises loopback hosts only', () => {
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('[::1]')).toBe(true);
  });
  it.each([
    ['https://manage.auth0.com/dashboard', true],
    ['https://workos.com/docs/migrate/auth0', true],
    ['http://workos.com/docs', false],
    ['https://workos.com.evil.io/', false],
    ['https://evil.io/?https://workos.com', false],
    ['javascript:alert(1)', false],
  ])('external link %s -> %s', (url, ok) => expect(isAllowedExternalUrl(url)).toBe(ok));
});
