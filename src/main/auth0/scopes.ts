// The Management API scopes the export needs, and what each one is for (REFERENCE.md).

export interface RequiredScope {
  scope: string;
  neededFor: string;
  /** The export still runs without it, with less data. */
  optional?: boolean;
}

export const requiredScopes: readonly RequiredScope[] = [
  { scope: 'read:users', neededFor: 'exporting users (users-exports job) and reading job status' },
  {
    scope: 'read:user_idp_tokens',
    neededFor: 'including identity-provider tokens in user profiles',
    optional: true,
  },
  { scope: 'read:organizations', neededFor: 'listing organizations' },
  { scope: 'read:organization_members', neededFor: 'listing organization members' },
  { scope: 'read:organization_member_roles', neededFor: "reading members' organization roles" },
  { scope: 'read:roles', neededFor: 'listing role definitions' },
  { scope: 'read:connections', neededFor: 'listing connections (database, social, enterprise SSO)' },
  {
    scope: 'read:connections_options',
    neededFor:
      'reading connection settings (SAML/OIDC endpoints, certificates); without it Auth0 silently omits them',
  },
  { scope: 'read:organization_connections', neededFor: "listing each organization's enabled connections" },
  { scope: 'read:actions', neededFor: 'the custom-logic inventory (Actions)', optional: true },
  { scope: 'read:rules', neededFor: 'the custom-logic inventory (Rules)', optional: true },
  { scope: 'read:hooks', neededFor: 'the custom-logic inventory (Hooks)', optional: true },
  {
    scope: 'read:authentication_methods',
    neededFor: 'reading MFA enrolments (TOTP, SMS, push) per user',
    optional: true,
  },
];

/** The required scopes missing from `granted`, each with what it is needed for. */
export function missingScopes(granted: readonly string[]): RequiredScope[] {
  const have = new Set(granted);
  return requiredScopes.filter((s) => !have.has(s.scope));
}
