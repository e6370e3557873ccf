import { AppError } from '../../../shared/errors';
import { providersCsv, findingsCsv, reenrolmentCsv } from '../../review/checklists';
import {
  chooseSurvivor,
  reopen,
  setPolicy,
  setRoleMapping,
  setUserDecisions,
  signOff,
} from '../../review/decisions';
import { computeFindings, storedFindings } from '../../review/findings';
import { roleMappings } from '../../review/mapping';
import {
  organizationDetail,
  queryMemberships,
  queryOrganizations,
  queryUsers,
  userDetail,
} from '../../review/queries';
import { refreshReview, reviewSummary } from '../../review/review';
import type { AppServices } from '../../services';
import type { Handlers } from '../dispatch';

type ReviewHandlers = Pick<
  Handlers,
  | 'review.summary'
  | 'review.refresh'
  | 'review.users'
  | 'review.user'
  | 'review.organizations'
  | 'review.organization'
  | 'review.memberships'
  | 'review.roles'
  | 'review.connections'
  | 'review.decide'
  | 'review.signOff'
  | 'review.reopen'
  | 'review.exportCsv'
>;

export function reviewHandlers(s: AppServices): ReviewHandlers {
  const ws = () => s.requireWorkspace();
  const writable = () => {
    const w = ws();
    w.assertWritable();
    return w;
  };
  const changed = () => s.events.emit('workspace.changed', s.workspace()?.summary() ?? null);
  return {
    'review.summary': async () => {
      const w = ws();
      // First visit of a writable workspace: compute the findings once.
      if (!w.readOnly && storedFindings(w.db).computedAt === null) return refreshReview(w);
      return reviewSummary(w);
    },
    'review.refresh': async () => refreshReview(writable()),
    'review.users': async (q) => queryUsers(ws(), q),
    'review.user': async ({ userId }) => {
      const d = userDetail(ws(), userId);
      return { auth0: d.auth0, workos: d.workos as unknown as Record<string, unknown>, issues: d.issues };
    },
    'review.organizations': async (q) => queryOrganizations(ws(), q),
    'review.organization': async ({ orgId }) => {
      const d = organizationDetail(ws(), orgId);
      return { auth0: d.auth0, workos: d.workos as unknown as Record<string, unknown> | null };
    },
    'review.memberships': async (q) => queryMemberships(ws(), q),
    'review.roles': async () => {
      const rows = roleMappings(ws().db);
      return { rows, total: rows.length };
    },
    'review.connections': async () => {
      const f = computeFindings(ws().db, { materialize: false }).find((x) => x.code === 'connections');
      const rows = (f?.summary.connections ?? []) as {
        name: string;
        strategy: string;
        protocol: string;
        readiness: 'ready' | 'needs_attention' | 'not_applicable';
        missing: string[];
      }[];
      return { rows, total: rows.length };
    },
    'review.decide': async ({ reviewer, decision }) => {
      const w = writable();
      switch (decision.kind) {
        case 'users':
          setUserDecisions(w, reviewer, decision.userIds, decision.include, decision.note);
          break;
        case 'survivor':
          chooseSurvivor(w, reviewer, decision.userId);
          break;
        case 'policy':
          setPolicy(w, reviewer, decision.code, decision.value);
          break;
        case 'role':
          setRoleMapping(w, reviewer, decision.roleId, decision.slug, decision.name);
          break;
        default:
          throw new AppError('invalid_input', 'Unknown decision.');
      }
      const summary = refreshReview(w);
      changed();
      return summary;
    },
    'review.signOff': async ({ reviewer, note }) => {
      const st = signOff(writable(), reviewer, note);
      changed();
      return st;
    },
    'review.reopen': async ({ reviewer, note }) => {
      const st = reopen(writable(), reviewer, note);
      changed();
      return st;
    },
    'review.exportCsv': async ({ what }) =>
      what === 'findings'
        ? findingsCsv(ws())
        : what === 'reenrolment'
          ? reenrolmentCsv(ws())
          : providersCsv(ws()),
  };
}
