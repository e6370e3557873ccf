import type { Output } from '../../../shared/contract';

// Words for the plan's entities, actions and journal statuses, shared by the Plan, Import and Verify steps.

export type PlanKind = 'role' | 'organization' | 'user' | 'membership' | 'totp';
export type PlanAction = 'create' | 'exists' | 'repair' | 'conflict' | 'skip';
export type PlanItem = Output<'workos.plan.items'>['rows'][number];

export const PLAN_KINDS: PlanKind[] = ['role', 'organization', 'user', 'membership', 'totp'];
export const PLAN_ACTIONS: PlanAction[] = ['create', 'exists', 'repair', 'conflict', 'skip'];

export const KIND_LABELS: Record<PlanKind, string> = {
  role: 'Roles',
  organization: 'Organizations',
  user: 'Users',
  membership: 'Memberships',
  totp: 'TOTP factors',
};

export const ACTION_LABELS: Record<PlanAction, string> = {
  create: 'Create',
  exists: 'Exists and matches',
  repair: 'Needs repair',
  conflict: 'Conflict',
  skip: 'Left out',
};

export const ACTION_HELP: Record<PlanAction, string> = {
  create: 'Not in WorkOS yet: the import creates it.',
  exists: 'Already in WorkOS exactly as the workspace has it: nothing is written.',
  repair:
    'In WorkOS but incomplete or different (a missing membership or role, no password, another verified flag): the import repairs it.',
  conflict:
    'WorkOS holds something this migration did not create in its way: handled by the conflict policy.',
  skip: 'Left out of the import (by a review decision, the conflict policy or a WorkOS limit).',
};

export type ConflictPolicy = 'link' | 'skip' | 'stop';

export const POLICY_LABELS: Record<ConflictPolicy, { label: string; help: string }> = {
  stop: {
    label: 'Stop',
    help: 'Nothing is imported while a conflict remains: resolve it in WorkOS (or choose another policy) and plan again.',
  },
  link: {
    label: 'Link and repair',
    help: 'Treat the existing WorkOS user as this user: link it (external id) and repair it. Rollback leaves it in place.',
  },
  skip: {
    label: 'Skip',
    help: 'Leave the conflicting users out of the import; they stay as they are in WorkOS.',
  },
};

export const CONFLICT_LABELS: Record<'email_taken' | 'external_id_other_email', string> = {
  email_taken: 'The email is held by a WorkOS user this migration did not create',
  external_id_other_email: 'The external id is on a WorkOS user with another email',
};

export const STATUS_LABELS = {
  done: 'Done',
  failed: 'Failed',
  skipped: 'Skipped',
  in_flight: 'In flight',
  pending: 'Pending',
} as const;
