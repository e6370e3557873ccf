// Splits a connection's options into what may be stored in clear and what is a secret (client secrets, signing
// and decryption keys, private keys, passwords). Secrets are stored only as ciphertext.

const SECRET_KEY =
  /secret|private|password|passphrase|decryption_?key|signing_?key|api_?key|(^|_)token$|credential/i;
const PRIVATE_PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

export interface SplitOptions {
  clear: Record<string, unknown>;
  secret: Record<string, unknown>;
  secretFields: string[];
}

export function splitConnectionOptions(options: Record<string, unknown>): SplitOptions {
  const clear: Record<string, unknown> = {};
  const secret: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    const isSecret =
      SECRET_KEY.test(k) || (v !== null && v !== undefined && PRIVATE_PEM.test(JSON.stringify(v)));
    if (isSecret) secret[k] = v;
    else clear[k] = v;
  }
  return { clear, secret, secretFields: Object.keys(secret).sort() };
}
