// Which account of a duplicate-email group survives when the admin has not chosen: the documented default is
// the account with a verified email, then the most recent login, then the earliest creation, then the smallest
// user_id. WorkOS has one user per email, so the others are merged into the survivor (their Auth0 ids are kept
// in its metadata and their memberships move to it).

export interface DuplicateCandidate {
  user_id: string;
  email_verified: number | null;
  last_login: string | null;
  created_at: string | null;
}

export function defaultSurvivor(group: readonly DuplicateCandidate[]): string {
  const sorted = [...group].sort((a, b) => {
    const v = (b.email_verified === 1 ? 1 : 0) - (a.email_verified === 1 ? 1 : 0);
    if (v !== 0) return v;
    const l = (b.last_login ?? '').localeCompare(a.last_login ?? '');
    if (l !== 0) return l;
    const c = (a.created_at ?? '\uffff').localeCompare(b.created_at ?? '\uffff');
    if (c !== 0) return c;
    return a.user_id < b.user_id ? -1 : a.user_id > b.user_id ? 1 : 0;
  });
  return sorted[0]!.user_id;
}
