import { describe, expect, it } from 'vitest';
import { splitConnectionOptions } from '../../../src/main/auth0/export/secrets';

describe('connection options: secrets split', () => {
  it('moves nested secrets and whole custom-database configuration out of the clear options', () => {
    const options = {
      client_id: 'abc',
      client_secret: 'shh-1',
      passwordPolicy: 'good',
      password_history: { enable: true, size: 5 },
      configuration: { LEGACY_DB_PASSWORD: 'shh-2', LEGACY_DB_HOST: 'db.internal' },
      customScripts: { login: 'function login(){ const pw = "shh-3"; }' },
      upstream_params: { audience: { value: 'x' }, api_key: { value: 'shh-4' } },
      signingCert: 'MIIB...',
      decryptionKey: { key: '-----BEGIN PRIVATE KEY-----\nshh-5\n-----END PRIVATE KEY-----' },
    };
    const { clear, secret, secretFields } = splitConnectionOptions(options);
    const clearText = JSON.stringify(clear);
    for (const s of ['shh-1', 'shh-2', 'shh-3', 'shh-4', 'shh-5', 'db.internal'])
      expect(clearText).not.toContain(s);
    expect(clear).toMatchObject({
      client_id: 'abc',
      passwordPolicy: 'good',
      password_history: { enable: true, size: 5 },
      upstream_params: { audience: { value: 'x' } },
      signingCert: 'MIIB...',
    });
    expect(secretFields).toEqual([
      'client_secret',
      'configuration',
      'customScripts',
      'decryptionKey',
      'upstream_params.api_key',
    ]);
    expect(secret).toMatchObject({
      upstream_params: { api_key: { value: 'shh-4' } },
      configuration: { LEGACY_DB_PASSWORD: 'shh-2' },
    });
  });
});
