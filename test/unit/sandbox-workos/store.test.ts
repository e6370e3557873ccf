import { describe, expect, it } from 'vitest';
import { paginate } from '../../../src/main/sandbox/workos/store';
import { newId } from '../../../src/main/sandbox/workos/ids';

describe('ids and cursor paging', () => {
  it('makes WorkOS-shaped ids that sort in creation order', () => {
    const ids = Array.from({ length: 200 }, () => newId('user'));
    expect(ids[0]).toMatch(/^user_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('pages forwards and backwards by cursor in both orders', () => {
    const items = Array.from({ length: 25 }, () => ({ id: newId('org') }));
    const asc = paginate(items, { limit: 10, order: 'asc' });
    expect(asc.data.map((i) => i.id)).toEqual(items.slice(0, 10).map((i) => i.id));
    expect(asc.list_metadata).toEqual({ before: null, after: items[9]!.id });
    const next = paginate(items, { limit: 10, order: 'asc', after: asc.list_metadata.after! });
    expect(next.data[0]!.id).toBe(items[10]!.id);
    const last = paginate(items, { limit: 10, order: 'asc', after: next.list_metadata.after! });
    expect(last.data).toHaveLength(5);
    expect(last.list_metadata.after).toBeNull();
    expect(last.list_metadata.before).toBe(items[20]!.id);
    const back = paginate(items, { limit: 10, order: 'asc', before: last.list_metadata.before! });
    expect(back.data.map((i) => i.id)).toEqual(items.slice(10, 20).map((i) => i.id));

    const desc = paginate(items, { limit: 10, order: 'desc' });
    expect(desc.data[0]!.id).toBe(items[24]!.id);
    const all: string[] = [];
    let after: string | undefined;
    do {
      const page = paginate(items, { limit: 7, order: 'desc', after });
      all.push(...page.data.map((i) => i.id));
      after = page.list_metadata.after ?? undefined;
    } while (after);
    expect(all).toEqual(items.map((i) => i.id).reverse());
  });
});
