// The workspace module: one SQLite file per migration, with checksummed schema migrations, field encryption under
// a per-workspace key from the OS keychain, a hash-chained audit log, and a guard against unsafe locations.
export {
  WORKSPACE_EXT,
  APPLICATION_ID,
  Workspace,
  createWorkspace,
  openWorkspace,
  openWorkspaceWithKey,
  JOB_BUSY_TIMEOUT_MS,
  type OpenOptions,
} from './workspace';
export {
  GENESIS_HASH,
  auditEntryHash,
  type AuditLog,
  type AuditEntryInput,
  type AuditVerification,
} from './audit';
export { createFieldCipher, DATA_KEY_BYTES, type FieldCipher, type RowRef } from './cipher';
export {
  applyMigrations,
  assertKnownMigrations,
  migrationChecksum,
  migrationLabel,
  validateMigrationList,
} from './migrate';
export { migrations, type Migration } from './migrations';
export {
  createLocationGuard,
  findMount,
  networkFsName,
  parseMountTable,
  realProbes,
  type LocationGuard,
  type LocationProbes,
  type LocationVerdict,
  type MountEntry,
} from './location-guard';
export { RecentWorkspaces, type RecentEntry } from './recent';
export { canonicalJson } from './canonical';
