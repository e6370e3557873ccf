import { AppError } from '../../../shared/errors';
import { buildReport } from '../../report/build';
import { reportFileName, saveReport } from '../../report/save';
import type { AppServices } from '../../services';
import type { Handlers } from '../dispatch';
import { refreshReviewIfBehind } from './review';

type ReportHandlers = Pick<Handlers, 'report.get' | 'report.save'>;

export function reportHandlers(s: AppServices): ReportHandlers {
  const version = () => s.opts.version ?? '0.0.0';
  return {
    'report.get': async () => {
      await refreshReviewIfBehind(s);
      return buildReport(s.requireWorkspace(), { version: version() });
    },
    'report.save': async ({ format }) => {
      const ws = s.requireWorkspace();
      if (!s.opts.dialogs)
        throw new AppError(
          'not_available',
          'A save dialog is not available here.',
          'Use the report command instead.',
        );
      const path = await s.opts.dialogs.chooseSaveFile(reportFileName(ws, format));
      if (!path) return { saved: false, path: null, format, savedAt: null };
      await refreshReviewIfBehind(s);
      const saved = await saveReport(ws, buildReport(ws, { version: version() }), path, format);
      return { saved: true, path: saved.path, format, savedAt: saved.savedAt };
    },
  };
}
