import { HttpError, type SandboxRequest } from '../common/http';

// Auth0's two paging styles. Offset paging (page/per_page) never reaches past the first 1000 records of a
// list; checkpoint paging (from/take) walks everything via an opaque `next` token.

export const OFFSET_PAGING_CAP = 1000;
const MAX_PER_PAGE = 100;

export function badQuery(message: string): HttpError {
  return new HttpError(400, {
    statusCode: 400,
    error: 'Bad Request',
    message,
    errorCode: 'invalid_query_string',
  });
}

function intParam(req: SandboxRequest, name: string, fallback: number, min: number, max: number): number {
  const raw = req.query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw))
    throw badQuery(
      `Query validation error: 'Expected type integer but found type string' on property ${name}.`,
    );
  const n = Number(raw);
  if (n < min)
    throw badQuery(`Query validation error: 'Too small: must be at least ${min}' on property ${name}.`);
  if (n > max)
    throw badQuery(`Query validation error: 'Too big: must be at most ${max}' on property ${name}.`);
  return n;
}

export function wantsTotals(req: SandboxRequest): boolean {
  return req.query.get('include_totals') === 'true';
}

export function usesCheckpoint(req: SandboxRequest): boolean {
  return req.query.has('from') || req.query.has('take');
}

const encodeNext = (index: number): string => Buffer.from(`cp:${index}`).toString('base64url');
function decodeFrom(token: string): number {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const m = /^cp:(\d+)$/.exec(text);
  if (!m) throw badQuery('Invalid value for the from parameter.');
  return Number(m[1]);
}

/** `{[key]: items, next?}`: `next` is omitted on the last page, as Auth0 does. */
export function checkpointPage<T>(req: SandboxRequest, all: T[], key: string): Record<string, unknown> {
  const take = intParam(req, 'take', 50, 1, MAX_PER_PAGE);
  const from = req.query.get('from');
  const start = from ? decodeFrom(from) : 0;
  const items = all.slice(start, start + take);
  const body: Record<string, unknown> = { [key]: items };
  if (start + take < all.length) body.next = encodeNext(start + take);
  return body;
}

/**
 * Offset paging: an array, or with include_totals `{[key], start, limit, total}`. Records past the first
 * 1000 are never returned (pages beyond are empty) while `total` still counts everything, so a client
 * comparing the two can tell it hit the cap.
 */
export function offsetPage<T>(
  req: SandboxRequest,
  all: T[],
  key: string,
  opts: { capped?: boolean } = {},
): unknown {
  const perPage = intParam(req, 'per_page', 50, 1, MAX_PER_PAGE);
  const page = intParam(req, 'page', 0, 0, Number.MAX_SAFE_INTEGER);
  const start = page * perPage;
  const end = opts.capped === false ? start + perPage : Math.min(start + perPage, OFFSET_PAGING_CAP);
  const items = start < end ? all.slice(start, end) : [];
  if (!wantsTotals(req)) return items;
  return { [key]: items, start, limit: perPage, total: all.length };
}

/** Either style, chosen the way Auth0 chooses: from/take means checkpoint. */
export function listPage<T>(req: SandboxRequest, all: T[], key: string): unknown {
  return usesCheckpoint(req) ? checkpointPage(req, all, key) : offsetPage(req, all, key);
}
