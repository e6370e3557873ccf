// What an export can cover, in the order a run processes it: organizations before memberships (members are listed
// per organization), users before MFA (enrolments are read for users whose profile shows MFA).

export const entityNames = [
  'roles',
  'connections',
  'organizations',
  'memberships',
  'users',
  'mfa',
  'logic',
] as const;
export type EntityName = (typeof entityNames)[number];

export const entityLabels: Record<EntityName, string> = {
  roles: 'Roles',
  connections: 'Connections',
  organizations: 'Organizations',
  memberships: 'Memberships',
  users: 'Users',
  mfa: 'MFA enrolments',
  logic: 'Actions, Rules and Hooks',
};

/** The scopes each entity needs; the export refuses to start while one of these is missing. */
export const entityScopes: Record<EntityName, string[]> = {
  roles: ['read:roles'],
  connections: ['read:connections', 'read:connections_options'],
  organizations: ['read:organizations', 'read:organization_connections'],
  memberships: ['read:organizations', 'read:organization_members', 'read:organization_member_roles'],
  users: ['read:users'],
  mfa: ['read:users', 'read:authentication_methods'],
  logic: ['read:actions', 'read:rules', 'read:hooks'],
};

/** The selection in processing order, without duplicates; all entities when none are named. */
export function orderEntities(selected?: readonly string[]): EntityName[] {
  if (!selected || selected.length === 0) return [...entityNames];
  const want = new Set(selected);
  return entityNames.filter((e) => want.has(e));
}
