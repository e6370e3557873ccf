import type { Database } from 'better-sqlite3';
import { WORKOS_BUILT_IN_ROLES, WORKOS_LIMITS } from './limits';
import { cachedStatement } from '../workspace/statements';

// Auth0 roles -> WorkOS role slugs. Never blind renaming: a role whose trimmed, case-folded name is a WorkOS
// built-in role (or one of its listed aliases) maps onto that built-in role; every other role gets a slug derived
// from its name (lowercase a-z, 0-9, '-', '_'; at most 48 characters). Two roles that would get the same derived
// slug are told apart by a numeric suffix (-2, -3, ...), in role-name order, and both are reported. The admin can
// edit any row (review_role_map), which always wins.

/** Editable default: Auth0 role names (trimmed, lowercased) that mean a WorkOS built-in role. */
export const defaultBuiltInAliases: Record<string, (typeof WORKOS_BUILT_IN_ROLES)[number]> = {
  admin: 'admin',
  administrator: 'admin',
  member: 'member',
};

export type RoleProblemCode =
  | 'role_merged_into_built_in'
  | 'role_slug_collision'
  | 'role_slug_derived'
  | 'role_name_too_long'
  | 'role_description_too_long'
  | 'role_slug_invalid';

export interface RoleProblem {
  code: RoleProblemCode;
  detail: string;
}

export interface RoleMapping {
  /** The Auth0 role id (rol_...). */
  roleId: string;
  auth0Name: string;
  /** The WorkOS role slug this Auth0 role becomes. */
  slug: string;
  /** WorkOS role name (<= 48 chars) and description (<= 150 chars) when the importer creates the role. */
  name: string;
  description: string | null;
  /** True when `slug` is a WorkOS built-in role: the importer must not create it, only use it. */
  builtIn: boolean;
  source: 'built_in' | 'derived' | 'edited';
  problems: RoleProblem[];
}

/** A role WorkOS must have, once per slug (several Auth0 roles may map onto one). */
export interface WorkosRoleRecord {
  slug: string;
  name: string;
  description: string | null;
  builtIn: boolean;
  /** The Auth0 role ids mapped onto this slug. */
  sourceRoleIds: string[];
}

export const SLUG_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;

export function slugify(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, WORKOS_LIMITS.roleSlugLength)
    .replace(/[-_]+$/, '');
  return s || 'role';
}

function withSuffix(base: string, n: number): string {
  const suffix = `-${n}`;
  return base.slice(0, WORKOS_LIMITS.roleSlugLength - suffix.length).replace(/[-_]+$/, '') + suffix;
}

const cut = (s: string, n: number): string => [...s].slice(0, n).join('');

/** Every Auth0 role with its WorkOS slug; sorted by Auth0 name then id, so the result is deterministic. */
export function roleMappings(db: Database): RoleMapping[] {
  const roles = cachedStatement(
    db,
    'SELECT role_id, name, description FROM auth0_roles ORDER BY name, role_id',
  ).all() as { role_id: string; name: string; description: string | null }[];
  const edits = new Map(
    (
      cachedStatement(db, 'SELECT role_id, slug, name FROM review_role_map').all() as {
        role_id: string;
        slug: string;
        name: string | null;
      }[]
    ).map((r) => [r.role_id, r]),
  );
  const builtIn = new Set<string>(WORKOS_BUILT_IN_ROLES);
  const taken = new Set<string>(builtIn);
  for (const e of edits.values()) taken.add(e.slug);
  const out: RoleMapping[] = [];
  const firstByBase = new Map<string, string>();
  for (const r of roles) {
    const problems: RoleProblem[] = [];
    const displayName = r.name.trim() || r.role_id;
    const edit = edits.get(r.role_id);
    let slug: string;
    let source: RoleMapping['source'];
    const alias = defaultBuiltInAliases[displayName.toLowerCase()];
    if (edit) {
      slug = edit.slug;
      source = 'edited';
      if (!SLUG_PATTERN.test(slug) || slug.length > WORKOS_LIMITS.roleSlugLength)
        problems.push({
          code: 'role_slug_invalid',
          detail: `The edited slug "${slug}" is not a valid WorkOS slug.`,
        });
    } else if (alias) {
      slug = alias;
      source = 'built_in';
    } else {
      const base = slugify(displayName);
      slug = base;
      source = 'derived';
      if (taken.has(slug)) {
        let n = 2;
        while (taken.has(withSuffix(base, n))) n++;
        slug = withSuffix(base, n);
        const other = firstByBase.get(base);
        problems.push({
          code: 'role_slug_collision',
          detail: `"${displayName}" would also become "${base}"${other ? ` (like "${other}")` : ''}; it becomes "${slug}".`,
        });
      } else if (slug !== displayName) {
        problems.push({ code: 'role_slug_derived', detail: `"${displayName}" becomes the slug "${slug}".` });
      }
      taken.add(slug);
      if (!firstByBase.has(base)) firstByBase.set(base, displayName);
    }
    const name = cut(edit?.name ?? displayName, WORKOS_LIMITS.roleNameLength);
    if ([...(edit?.name ?? displayName)].length > WORKOS_LIMITS.roleNameLength)
      problems.push({
        code: 'role_name_too_long',
        detail: `The name is shortened to 48 characters: "${name}".`,
      });
    let description = r.description?.trim() || null;
    if (description && [...description].length > WORKOS_LIMITS.roleDescriptionLength) {
      description = cut(description, WORKOS_LIMITS.roleDescriptionLength);
      problems.push({
        code: 'role_description_too_long',
        detail: 'The description is shortened to 150 characters.',
      });
    }
    const mapping: RoleMapping = {
      roleId: r.role_id,
      auth0Name: r.name,
      slug,
      name,
      description,
      builtIn: builtIn.has(slug),
      source,
      problems,
    };
    out.push(mapping);
  }
  // Several Auth0 roles on one built-in (e.g. "Admin", "admin ", "admin"): reported on each of them.
  const bySlug = new Map<string, RoleMapping[]>();
  for (const m of out) bySlug.set(m.slug, [...(bySlug.get(m.slug) ?? []), m]);
  for (const [slug, list] of bySlug) {
    if (list.length < 2) continue;
    for (const m of list) {
      if (m.builtIn) {
        m.problems.push({
          code: 'role_merged_into_built_in',
          detail: `${list.length} Auth0 roles (${list.map((x) => `"${x.auth0Name}"`).join(', ')}) map onto the built-in WorkOS role "${slug}".`,
        });
      } else if (!m.problems.some((p) => p.code === 'role_slug_collision')) {
        m.problems.push({
          code: 'role_slug_collision',
          detail: `${list.length} Auth0 roles were mapped onto the slug "${slug}" by edits.`,
        });
      }
    }
  }
  return out;
}

/** The roles WorkOS must have, one per slug, in slug order. */
export function workosRoles(db: Database): WorkosRoleRecord[] {
  const bySlug = new Map<string, WorkosRoleRecord>();
  for (const m of roleMappings(db)) {
    const existing = bySlug.get(m.slug);
    if (existing) existing.sourceRoleIds.push(m.roleId);
    else
      bySlug.set(m.slug, {
        slug: m.slug,
        name: m.builtIn ? m.slug[0]!.toUpperCase() + m.slug.slice(1) : m.name,
        description: m.builtIn ? null : m.description,
        builtIn: m.builtIn,
        sourceRoleIds: [m.roleId],
      });
  }
  return [...bySlug.values()].sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
}
