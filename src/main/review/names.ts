// First and last name for WorkOS. Auth0's given_name/family_name are used as they are when either is present.
// Otherwise `name` is split, documented rule:
//   - a `name` that is an email address (Auth0 copies the email into `name` for database signups) gives no name;
//   - whitespace is collapsed; one word -> first name only; several words -> the last word is the last name and
//     the words before it are the first name ("Mary Ann van Dyke" -> "Mary Ann van" / "Dyke").
// The split is reported (source 'split') so the reviewer can see which names were derived.

export interface SplitName {
  firstName: string | null;
  lastName: string | null;
  source: 'given_family' | 'split' | 'none';
}

const emailLike = /^[^\s@]+@[^\s@]+$/;

export function workosName(given: string | null, family: string | null, name: string | null): SplitName {
  const g = given?.trim() || null;
  const f = family?.trim() || null;
  if (g || f) return { firstName: g, lastName: f, source: 'given_family' };
  const n = name?.trim().replace(/\s+/g, ' ') ?? '';
  if (!n || emailLike.test(n)) return { firstName: null, lastName: null, source: 'none' };
  const i = n.lastIndexOf(' ');
  if (i < 0) return { firstName: n, lastName: null, source: 'split' };
  return { firstName: n.slice(0, i), lastName: n.slice(i + 1), source: 'split' };
}
