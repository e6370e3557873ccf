import { sql as init } from './001_init';
import { sql as auth0Export } from './002_auth0_export';
import { sql as passwords } from './003_passwords';
import { sql as review } from './004_review';
import { sql as workosImport } from './005_import';
import { sql as mergeRunsRows } from './006_merge_runs_rows';
import { sql as keylessUserStage } from './007_keyless_user_stage';
import { sql as mergeRowCodes } from './008_merge_row_codes';
import { sql as journalCreatedIds } from './009_journal_created_ids';
import { sql as journalComplete } from './010_journal_complete';
import { sql as fewerUserIndexes } from './011_fewer_user_indexes';
import { sql as oneFlaggedUsersIndex } from './012_one_flagged_users_index';

export interface Migration {
  /** 1, 2, 3... with no gaps; the order they are applied in. */
  version: number;
  /** Lower-case words joined by underscores; shown in errors as 001_name. */
  name: string;
  sql: string;
}

// Append new migrations at the end (one file per migration, NNN_name.ts exporting `sql`). The SQL lives in
// TypeScript because the bundled app cannot read .sql files at run time.
export const migrations: Migration[] = [
  { version: 1, name: 'init', sql: init },
  { version: 2, name: 'auth0_export', sql: auth0Export },
  { version: 3, name: 'passwords', sql: passwords },
  { version: 4, name: 'review', sql: review },
  { version: 5, name: 'workos_import', sql: workosImport },
  { version: 6, name: 'merge_runs_rows', sql: mergeRunsRows },
  { version: 7, name: 'keyless_user_stage', sql: keylessUserStage },
  { version: 8, name: 'merge_row_codes', sql: mergeRowCodes },
  { version: 9, name: 'journal_created_ids', sql: journalCreatedIds },
  { version: 10, name: 'journal_complete', sql: journalComplete },
  { version: 11, name: 'fewer_user_indexes', sql: fewerUserIndexes },
  { version: 12, name: 'one_flagged_users_index', sql: oneFlaggedUsersIndex },
];
