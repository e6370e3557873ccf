import type { MetadataMapping } from './config';
import { WORKOS_LIMITS } from './limits';

// Builds WorkOS metadata (at most 50 string values, keys <= 40 chars, values <= 600 chars) from an Auth0 user's
// facts, app_metadata and user_metadata. Nothing is cut: a value that does not fit is left out and reported with
// where it came from; the full value stays in the workspace. Non-string values are JSON-encoded (WorkOS accepts
// strings only) and reported too, so the reviewer sees the type change.

export type MetadataProblemCode =
  | 'metadata_value_stringified'
  | 'metadata_value_null'
  | 'metadata_value_too_long'
  | 'metadata_key_too_long'
  | 'metadata_too_many_keys'
  | 'metadata_key_collision';

export interface MetadataProblem {
  code: MetadataProblemCode;
  /** Where the value came from: 'app_metadata.KEY', 'user_metadata.KEY' or the fact's name. Never the value. */
  source: string;
  /** The WorkOS key it would have had. */
  key: string;
  detail: string;
}

export interface MetadataResult {
  metadata: Record<string, string>;
  problems: MetadataProblem[];
}

interface Candidate {
  source: string;
  key: string;
  value: unknown;
}

export function buildMetadata(
  facts: [string, string | null][],
  app: Record<string, unknown> | null,
  user: Record<string, unknown> | null,
  cfg: MetadataMapping,
): MetadataResult {
  const candidates: Candidate[] = [];
  for (const [k, v] of facts) if (v !== null) candidates.push({ source: k, key: k, value: v });
  const add = (obj: Record<string, unknown> | null, origin: string, prefix: string) => {
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return;
    for (const [k, v] of Object.entries(obj)) {
      const source = `${origin}.${k}`;
      if (cfg.exclude.includes(source)) continue;
      candidates.push({ source, key: cfg.rename[source] ?? `${prefix}${k}`, value: v });
    }
  };
  add(app, 'app_metadata', cfg.appMetadataPrefix);
  add(user, 'user_metadata', cfg.userMetadataPrefix);

  const metadata: Record<string, string> = {};
  const from = new Map<string, string>();
  const problems: MetadataProblem[] = [];
  let count = 0;
  for (const c of candidates) {
    const p = (code: MetadataProblemCode, detail: string) =>
      problems.push({ code, source: c.source, key: c.key, detail });
    if (c.value === null || c.value === undefined) {
      p('metadata_value_null', `${c.source} is null and is left out (WorkOS metadata values are strings).`);
      continue;
    }
    if ([...c.key].length > WORKOS_LIMITS.metadataKeyLength) {
      p(
        'metadata_key_too_long',
        `The key for ${c.source} is longer than 40 characters; rename it in the field mapping.`,
      );
      continue;
    }
    if (Object.hasOwn(metadata, c.key)) {
      p(
        'metadata_key_collision',
        `${c.source} has the same WorkOS key as ${from.get(c.key)}; it is left out.`,
      );
      continue;
    }
    let value: string;
    if (typeof c.value === 'string') value = c.value;
    else {
      value = JSON.stringify(c.value);
      p(
        'metadata_value_stringified',
        `${c.source} is a ${Array.isArray(c.value) ? 'list' : typeof c.value} and is stored as JSON text.`,
      );
    }
    if ([...value].length > WORKOS_LIMITS.metadataValueLength) {
      p(
        'metadata_value_too_long',
        `${c.source} is ${[...value].length} characters (WorkOS allows 600); it is left out.`,
      );
      continue;
    }
    if (count >= WORKOS_LIMITS.metadataKeys) {
      p(
        'metadata_too_many_keys',
        `${c.source} would be key ${count + 1} (WorkOS allows 50); it is left out.`,
      );
      continue;
    }
    metadata[c.key] = value;
    from.set(c.key, c.source);
    count++;
  }
  return { metadata, problems };
}
