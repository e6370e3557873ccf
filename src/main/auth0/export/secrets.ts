// Splits a connection's options into what may be stored in clear and what is a secret (client secrets, signing
// and decryption keys, private keys, passwords, custom-database configuration and scripts). Secrets are stored
// only as ciphertext. Nested objects are walked: a secret may sit below the top level (options.configuration).

const SECRET_KEY =
  /secret|private|password|passphrase|decryption_?key|signing_?key|api_?key|(^|_)token$|credential/i;
// Password *settings*, not passwords.
const PASSWORD_SETTING = /^password(Policy|_complexity_options|_history|_dictionary|_no_personal_info)$/;
// Whole subtrees that are secret by purpose: custom-database `configuration` holds the values its scripts read
// (database passwords, API keys), and the scripts themselves often embed credentials.
const SECRET_SUBTREE = new Set(['configuration', 'customScripts']);
const PRIVATE_PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

export interface SplitOptions {
  clear: Record<string, unknown>;
  secret: Record<string, unknown>;
  /** Dotted paths of the secret values, e.g. `client_secret`, `configuration`. Names only, never values. */
  secretFields: string[];
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function isSecret(key: string, value: unknown): boolean {
  if (SECRET_SUBTREE.has(key)) return true;
  if (SECRET_KEY.test(key) && !PASSWORD_SETTING.test(key)) return true;
  return value !== null && value !== undefined && PRIVATE_PEM.test(JSON.stringify(value));
}

function split(
  options: Record<string, unknown>,
  prefix: string,
  fields: string[],
): { clear: Record<string, unknown>; secret: Record<string, unknown> } {
  const clear: Record<string, unknown> = {};
  const secret: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (isSecret(k, v)) {
      secret[k] = v;
      fields.push(path);
    } else if (isPlainObject(v)) {
      const inner = split(v, path, fields);
      clear[k] = inner.clear;
      if (Object.keys(inner.secret).length > 0) secret[k] = inner.secret;
    } else {
      clear[k] = v;
    }
  }
  return { clear, secret };
}

export function splitConnectionOptions(options: Record<string, unknown>): SplitOptions {
  const fields: string[] = [];
  const { clear, secret } = split(options, '', fields);
  return { clear, secret, secretFields: fields.sort() };
}
