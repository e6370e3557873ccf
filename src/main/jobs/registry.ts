import { auth0Export } from '../auth0/export/job';
import { selftestCount } from './definitions/selftest-count';
import { mergeJobDefinitions } from '../passwords/merge-job';
import { reviewRefreshJob } from '../review/refresh-job';
import type { JobDefinition } from './types';
import { workosJobDefinitions } from '../workos/jobs';

// Every job kind the worker can run. The worker imports this statically, so each feature adds its job here.
export const jobDefinitions: Record<string, JobDefinition> = {
  [selftestCount.kind]: selftestCount,
  [auth0Export.kind]: auth0Export,
  ...mergeJobDefinitions,
  ...workosJobDefinitions,
  [reviewRefreshJob.kind]: reviewRefreshJob,
};
