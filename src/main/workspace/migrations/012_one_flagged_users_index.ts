// One partial index for the users' four rare flags instead of one index per flag.
//
// Each index is one more scan of the whole users table when a first export is merged, and at a million users a scan
// (about 1.1 GB, most of it the raw JSON) costs as much as the index it builds: the four partial indexes
// (has_mfa, blocked, unverified, no email) were 2.4 s of the merge's 8. One index over the users with any of the
// four flags, ordered by user_id and holding the flag columns, is one scan; each of the queries that used a flag's
// own index (the review's findings, the MFA export's paging) names one term of its WHERE verbatim, which SQLite
// takes as implying the whole OR, and reads it as a covering index. Measured at a million users: the same plans,
// 8-43 ms for a whole flag's users against 7-31 ms.
// An interrupted first export may have parked the old indexes on its stage table (stage.ts); DROP INDEX finds them
// there too, and the new index is built on the live table, where restoreParkedIndexes expects them all.
//
// Never edit this once released; append a new migration instead.
export const sql = `
DROP INDEX IF EXISTS auth0_users_mfa;
DROP INDEX IF EXISTS auth0_users_blocked;
DROP INDEX IF EXISTS auth0_users_unverified;
DROP INDEX IF EXISTS auth0_users_no_email;
CREATE INDEX auth0_users_flagged ON auth0_users (user_id, has_mfa, blocked, email_verified, email)
  WHERE has_mfa = 1 OR blocked = 1 OR email IS NULL OR email_verified IS NOT 1;
`;
