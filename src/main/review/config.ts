import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import { cachedStatement } from '../workspace/statements';

// What the mapping is allowed to decide by itself, and what the admin configures. Defaults are safe: blocked
// users stay behind, domains arrive unverified, nothing is cut silently.

export const metadataFacts = [
  'auth0_user_id',
  'auth0_connection',
  'auth0_created_at',
  'auth0_identities',
] as const;
export type MetadataFact = (typeof metadataFacts)[number];

export const metadataMappingSchema = z.object({
  /** Auth0 facts written into WorkOS metadata, in this order (they take the first of the 50 keys). */
  facts: z.array(z.enum(metadataFacts)),
  /** Prefixes put before app_metadata / user_metadata keys ('' = the key as it is). app_metadata keys win a collision. */
  appMetadataPrefix: z.string().max(20),
  userMetadataPrefix: z.string().max(20),
  /** Source keys left out, as 'app_metadata.KEY' or 'user_metadata.KEY'. */
  exclude: z.array(z.string().max(200)),
  /** Source key ('app_metadata.KEY' / 'user_metadata.KEY') -> WorkOS key, e.g. to shorten a key over 40 chars. */
  rename: z.record(z.string().max(200), z.string().min(1).max(40)),
});
export type MetadataMapping = z.infer<typeof metadataMappingSchema>;

export const defaultMetadataMapping: MetadataMapping = {
  facts: [...metadataFacts],
  appMetadataPrefix: '',
  userMetadataPrefix: '',
  exclude: [],
  rename: {},
};

export const policySchemas = {
  /** WorkOS has no "blocked" state: leave them out, import them without a password, or import them as they are. */
  blocked_users: z.enum(['exclude', 'import_without_password', 'import']),
  /** email_verified is always carried exactly; this only decides whether unverified users move at all. */
  unverified_emails: z.enum(['import', 'exclude']),
  users_without_organization: z.enum(['import', 'exclude']),
  /** The state given to organization domains; Auth0 never verified them, so 'pending' is the default. */
  domain_state: z.enum(['pending', 'verified']),
} as const;
export type PolicyCode = keyof typeof policySchemas;
export type Policies = { [K in PolicyCode]: z.infer<(typeof policySchemas)[K]> };
export const policyCodes = Object.keys(policySchemas) as PolicyCode[];

export const defaultPolicies: Policies = {
  blocked_users: 'exclude',
  unverified_emails: 'import',
  users_without_organization: 'import',
  domain_state: 'pending',
};

const METADATA_SETTING = 'review.metadataMapping';

export function loadPolicies(db: Database): Policies {
  const out: Policies = { ...defaultPolicies };
  const rows = cachedStatement(db, 'SELECT code, value FROM review_policies').all() as {
    code: string;
    value: string;
  }[];
  for (const r of rows) {
    const schema = policySchemas[r.code as PolicyCode];
    const parsed = schema?.safeParse(r.value);
    if (parsed?.success) (out as Record<string, string>)[r.code] = parsed.data;
  }
  return out;
}

export function loadMetadataMapping(db: Database): MetadataMapping {
  const row = cachedStatement(db, 'SELECT value_json FROM settings WHERE key = ?').get(METADATA_SETTING) as
    { value_json: string } | undefined;
  if (!row) return defaultMetadataMapping;
  const parsed = metadataMappingSchema.safeParse(JSON.parse(row.value_json));
  return parsed.success ? parsed.data : defaultMetadataMapping;
}

export const METADATA_MAPPING_SETTING = METADATA_SETTING;
