import type { ExportStatus } from '../../../shared/contract';

export type ExportEntity = ExportStatus['entities'][number]['entity'];

// The entities in the order main processes them, with a line on what each covers.
export const EXPORT_ENTITIES: { id: ExportEntity; label: string; help: string }[] = [
  { id: 'roles', label: 'Roles', help: 'role definitions' },
  {
    id: 'connections',
    label: 'Connections',
    help: 'database, social and enterprise SSO (secrets encrypted)',
  },
  { id: 'organizations', label: 'Organizations', help: 'with their enabled connections' },
  { id: 'memberships', label: 'Memberships', help: 'members of each organization with their roles' },
  { id: 'users', label: 'Users', help: "every user, through Auth0's bulk export job" },
  { id: 'mfa', label: 'MFA enrolments', help: 'for users whose profile shows MFA' },
  { id: 'logic', label: 'Actions, Rules and Hooks', help: 'an inventory of code to rewrite' },
];
