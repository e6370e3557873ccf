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
import { connectionFindings, storedFindings } from '../../review/findings';
import { roleMappings } from '../../review/mapping';
import {
  organizationDetail,
  queryMemberships,
  queryOrganizations,
  queryUsers,
  userDetail,
} from '../../review/queries';
import { applyDecisionFile, exportDecisionFile, previewDecisionFile } from '../../review/decision-file';
import { isReviewCopy, packageOrigin, withDecisionTarget } from '../../review/overlay';
import { REVIEW_REFRESH_JOB, type ReviewRefreshParams } from '../../review/refresh-job';
import { countOutcomesOnThread } from '../../review/outcome-thread-client';
import {
  decideWithOutcomes,
  reviewSummary,
  storedReview,
  survivorGroup,
  writeOutcomes,
  type DecisionScope,
} from '../../review/review';
import type { DecisionTarget } from '../../review/decisions';
import type { Input } from '../../../shared/contract';

type Decision = Input<'review.decide'>['decision'];
import { reviewerKey } from '../../review/signing-key';
import type { Workspace } from '../../workspace';
import type { JobInfo } from '../../../shared/contract';
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
  | 'review.reviewerKey'
  | 'review.exportDecisions'
  | 'review.previewDecisions'
  | 'review.applyDecisions'
>;

/** The summary plus who may decide here (the workspace itself, or a reviewer's copy through its overlay). */
function summaryOf(
  w: Workspace,
  s: ReturnType<typeof reviewSummary> = reviewSummary(w),
  refreshing: JobInfo | null = null,
) {
  const origin = packageOrigin(w);
  const copy = isReviewCopy(w);
  return {
    ...s,
    refreshing,
    access: {
      canDecide: !w.readOnly || copy,
      reviewCopy: copy && origin ? { workspaceName: origin.workspaceName, savedAt: origin.savedAt } : null,
    },
  };
}

function liveRefresh(s: AppServices): JobInfo | undefined {
  return s
    .jobs()
    .list()
    .find((j) => j.kind === REVIEW_REFRESH_JOB && (j.state === 'running' || j.state === 'queued'));
}

/** Starts the review.refresh job (all, or the outcome pass alone), or returns the one already running. */
export async function startReviewRefresh(
  s: AppServices,
  scope: ReviewRefreshParams['scope'] = 'all',
): Promise<JobInfo> {
  return liveRefresh(s) ?? s.jobs().start(REVIEW_REFRESH_JOB, { scope });
}

/** Decisions wait for a running refresh: its outcome pass would overwrite what they change. */
function assertNotRefreshing(s: AppServices, w: Workspace): void {
  if (!w.readOnly && liveRefresh(s))
    throw new AppError(
      'job_conflict',
      'The review is being recomputed; decisions can be taken again when it has finished.',
    );
}

/** The users a decision can move (see decideWithOutcomes). */
function scopeOf(t: DecisionTarget, decision: Decision): DecisionScope {
  switch (decision.kind) {
    case 'users':
      return decision.userIds;
    case 'survivor':
      return survivorGroup(t, decision.userId);
    case 'policy':
      return 'all';
    default:
      return 'none';
  }
}

/** Runs the refresh job to its end (CLI, package save); throws its error if it failed. */
export async function refreshAndWait(s: AppServices): Promise<JobInfo> {
  const job = await s.jobs().wait((await startReviewRefresh(s)).id);
  if (job.state !== 'completed')
    throw new AppError(
      job.error?.code ?? 'internal',
      job.error?.message ?? `The review refresh ended ${job.state}.`,
      job.error?.hint,
    );
  return job;
}

/**
 * Brings the stored findings and outcome counts up to date for a reader that needs them as of now (the report, a
 * package for a reviewer): in the refresh job's worker when an export or a merge came after them, or when the last
 * refresh is running or did not finish. Never on this thread: at a million users each is a pass of 20-50 s. A
 * read-only copy keeps its own.
 */
export async function refreshReviewIfBehind(s: AppServices): Promise<void> {
  const w = s.requireWorkspace();
  if (w.readOnly) return;
  const last = s
    .jobs()
    .list()
    .find((j) => j.kind === REVIEW_REFRESH_JOB);
  if (storedReview(w) !== null && (last === undefined || last.state === 'completed')) return;
  await refreshAndWait(s);
}

export function reviewHandlers(s: AppServices): ReviewHandlers {
  const ws = () => s.requireWorkspace();
  const writable = () => {
    const w = ws();
    w.assertWritable();
    return w;
  };
  const changed = () => s.events.emit('workspace.changed', s.workspace()?.summary() ?? null);
  const runningRefresh = (w: Workspace): JobInfo | null => (w.readOnly ? null : (liveRefresh(s) ?? null));
  // A reviewer's copy's passes, one after another: each counts what is committed when it starts, so the last
  // decision's counts are the ones written last.
  let copyPasses: Promise<void> = Promise.resolve();
  /** After a decision that concerns every user: the outcome pass, in a worker where the workspace allows one. */
  const outcomePass = async (w: Workspace): Promise<JobInfo | null> => {
    if (!w.readOnly) return startReviewRefresh(s, 'outcomes');
    // A reviewer's copy has no key for a job's worker: the pass reads the copy on a thread of its own, and its counts
    // are written here through the overlay (unless the copy was closed meanwhile).
    const pass = copyPasses
      .catch(() => undefined)
      .then(async () => {
        const outcomes = await countOutcomesOnThread(w.file);
        if (s.workspace() === w) withDecisionTarget(w, (t) => writeOutcomes(t, outcomes));
      });
    copyPasses = pass;
    await pass;
    return null;
  };

  return {
    'review.summary': async () => {
      const w = ws();
      // First visit of a writable workspace: compute the findings once (in a worker: a minute at 1M users).
      if (!w.readOnly && storedFindings(w.db).computedAt === null)
        return summaryOf(w, reviewSummary(w), await startReviewRefresh(s));
      return summaryOf(w, reviewSummary(w), runningRefresh(w));
    },
    'review.refresh': async () => {
      writable();
      return { job: await startReviewRefresh(s) };
    },
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
      const f = connectionFindings(ws().db);
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
      const w = ws();
      assertNotRefreshing(s, w);
      // A decision on a copy waits for its passes (one counted before it would overwrite the counts it adjusts),
      // checked again after each wait, in this function: a decision made meanwhile queues a pass of its own.
      if (w.readOnly)
        for (let last = copyPasses; ; last = copyPasses) {
          await last.catch(() => undefined);
          if (last === copyPasses) break;
        }
      const { fullPass } = withDecisionTarget(w, (t) =>
        decideWithOutcomes(t, scopeOf(t, decision), () => {
          switch (decision.kind) {
            case 'users':
              setUserDecisions(t, reviewer, decision.userIds, decision.include, decision.note);
              break;
            case 'survivor':
              chooseSurvivor(t, reviewer, decision.userId);
              break;
            case 'policy':
              setPolicy(t, reviewer, decision.code, decision.value);
              break;
            case 'role':
              setRoleMapping(t, reviewer, decision.roleId, decision.slug, decision.name);
              break;
            default:
              throw new AppError('invalid_input', 'Unknown decision.');
          }
        }),
      );
      const job = fullPass ? await outcomePass(w) : null;
      changed();
      return summaryOf(w, reviewSummary(w), job);
    },
    'review.signOff': async ({ reviewer, note }) => {
      const st = withDecisionTarget(ws(), (t) => signOff(t, reviewer, note));
      changed();
      return st;
    },
    'review.reopen': async ({ reviewer, note }) => {
      const st = withDecisionTarget(ws(), (t) => reopen(t, reviewer, note));
      changed();
      return st;
    },
    'review.reviewerKey': async () => ({ fingerprint: (await reviewerKey(s.keychain)).fingerprint }),
    'review.exportDecisions': async ({ signer }) => {
      const w = ws();
      const key = await reviewerKey(s.keychain);
      return withDecisionTarget(w, (t) => exportDecisionFile(w, t, key, signer));
    },
    'review.previewDecisions': async ({ text }) => previewDecisionFile(ws(), text),
    'review.applyDecisions': async ({ text, fingerprint }) => {
      const w = writable();
      assertNotRefreshing(s, w);
      // The users the file can move: its user decisions and the duplicate groups of its survivors (both sides).
      const preview = previewDecisionFile(w, text);
      const broad = preview.changes.some((c) => c.kind === 'policy' || c.kind === 'metadata_mapping');
      const scope: DecisionScope = broad
        ? 'all'
        : preview.changes.flatMap((c) =>
            c.kind === 'user'
              ? [c.target]
              : c.kind === 'survivor'
                ? [c.from, c.to].filter((u) => u !== 'default').flatMap((u) => survivorGroup(w, u))
                : [],
          );
      let applied!: ReturnType<typeof applyDecisionFile>;
      decideWithOutcomes(w, scope, () => {
        applied = applyDecisionFile(w, text, fingerprint);
      });
      // A new metadata mapping changes data-side findings (metadata limits): the full pass; a policy the outcomes.
      const job = applied.changes.some((c) => c.kind === 'metadata_mapping')
        ? await startReviewRefresh(s, 'all')
        : broad
          ? await startReviewRefresh(s, 'outcomes')
          : null;
      changed();
      return { applied, signedOff: applied.signedOff, summary: summaryOf(w, reviewSummary(w), job) };
    },
    'review.exportCsv': async ({ what }) =>
      what === 'findings'
        ? findingsCsv(ws())
        : what === 'reenrolment'
          ? reenrolmentCsv(ws())
          : providersCsv(ws()),
  };
}
