// The wizard's steps, in order. Kept apart from the contract so that the renderer and main agree on ids.
export const stepIds = [
  'workspace',
  'connect',
  'export',
  'passwords',
  'review',
  'plan',
  'import',
  'verify',
  'sso',
  'report',
] as const;
export type StepId = (typeof stepIds)[number];

export const stepTitles: Record<StepId, string> = {
  workspace: 'Workspace',
  connect: 'Connect',
  export: 'Export',
  passwords: 'Passwords',
  review: 'Review',
  plan: 'Plan',
  import: 'Import',
  verify: 'Verify',
  sso: 'SSO',
  report: 'Report',
};
