// Which WorkOS objects this workspace created, by their WorkOS id. A later plan may repair or adopt an object an
// earlier import of this workspace created (a stopped import planned again, or a re-import after WorkOS changed it):
// the rollback deletes such an object, so it must not also be listed as a pre-existing object left as it is
// (src/main/workos/rollback.ts). Without this index that check would scan the journal once per repaired row.
//
// Never edit this once released; append a new migration instead.
export const sql = `
CREATE INDEX workos_journal_created_ids ON workos_journal (workos_id) WHERE created = 1 AND status = 'done';
`;
