import type { ComponentType } from 'react';
import type { StepId } from '../../shared/steps';
import { ConnectStep } from './Connect/ConnectStep';
import { ExportStep } from './Export/ExportStep';
import { ImportStep } from './Import/ImportStep';
import { PasswordsStep } from './Passwords/PasswordsStep';
import { PlanStep } from './Plan/PlanStep';
import { ReportStep } from './Report/ReportStep';
import { ReviewStep } from './Review/ReviewStep';
import { SsoStep } from './Sso/SsoStep';
import { VerifyStep } from './Verify/VerifyStep';
import { WorkspaceStep } from './Workspace/WorkspaceStep';

// The step panels this version of the interface has. A step missing here is reported as not yet available.
export const stepPanels: Partial<Record<StepId, ComponentType>> = {
  workspace: WorkspaceStep,
  connect: ConnectStep,
  export: ExportStep,
  passwords: PasswordsStep,
  review: ReviewStep,
  plan: PlanStep,
  import: ImportStep,
  verify: VerifyStep,
  sso: SsoStep,
  report: ReportStep,
};

export const stepIntros: Record<StepId, string> = {
  workspace: 'Create or open the local workspace that holds this migration.',
  connect: 'Connect the Auth0 tenant you migrate from and the WorkOS environment you migrate to.',
  export: 'Export users, organizations, roles and connections from Auth0 into the workspace.',
  passwords: 'Merge the password hash file from Auth0 support into the workspace.',
  review: 'Review findings and decide how each one is handled.',
  plan: 'Compare the workspace with live WorkOS and plan every change.',
  import: 'Apply the plan to WorkOS, with a journal for resume, retry and rollback.',
  verify: 'Check WorkOS against the workspace after the import.',
  sso: 'Hand each enterprise connection over to WorkOS: Admin Portal links per organization, providers, domains.',
  report: 'The migration report: counts, timeline, what did not move, and the audit log head hash.',
};
