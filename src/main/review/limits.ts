// WorkOS's limits, from its OpenAPI spec (@workos/openapi-spec: CreateUser, CreateOrganization, CreateRoleDto).
export const WORKOS_LIMITS = {
  metadataKeys: 50,
  metadataKeyLength: 40,
  metadataValueLength: 600,
  externalIdLength: 128,
  roleSlugLength: 48,
  roleNameLength: 48,
  roleDescriptionLength: 150,
} as const;

/** Roles every WorkOS environment offers (or that the importer creates as environment roles before use). */
export const WORKOS_BUILT_IN_ROLES = ['admin', 'member'] as const;
export const WORKOS_DEFAULT_ROLE = 'member';
