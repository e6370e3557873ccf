// An import's journal is written in many transactions (src/main/workos/journal.ts): at a million users it has
// about 2.5 million rows, and one transaction for all of them held the write lock for longer than the app's other
// connections wait. `journal_ops` marks a plan whose journal is complete, with its number of ops; NULL while none
// or part of it is written, which the import then continues. Journals written before this migration were written in
// one transaction, so any that exists is complete.
//
// Never edit this once released; append a new migration instead.
export const sql = `
ALTER TABLE workos_plans ADD COLUMN journal_ops INTEGER;
UPDATE workos_plans SET journal_ops = (SELECT count(*) FROM workos_journal j WHERE j.plan_id = workos_plans.plan_id)
WHERE EXISTS (SELECT 1 FROM workos_journal j WHERE j.plan_id = workos_plans.plan_id);
`;
