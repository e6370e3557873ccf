import { promises as fsp } from 'node:fs';
import { isAbsolute } from 'node:path';
import { AppError } from '../../shared/errors';
import type { MigrationReport } from '../../shared/sso-report-contract';
import { latestVerification } from '../workos/verify';
import type { Workspace } from '../workspace';
import { reportMarkdown } from './markdown';

// Writing the report to a file the admin chose, and remembering that it was saved (for the wizard's done-condition:
// a report saved after the last verification).

export type ReportFormat = 'md' | 'json';
const LAST_SAVED = 'report.lastSaved';

export function renderReport(report: MigrationReport, format: ReportFormat): string {
  return format === 'json' ? JSON.stringify(report, null, 2) + '\n' : reportMarkdown(report);
}

/** A file name for the save dialog: the workspace name and today's date. */
export function reportFileName(ws: Workspace, format: ReportFormat): string {
  const slug =
    ws.name
      .normalize('NFKD')
      .replace(/[^\w\s-]/g, '')
      .trim()
      .replace(/\s+/g, '-')
      .toLowerCase()
      .slice(0, 60) || 'migration';
  return `${slug}-report-${new Date().toISOString().slice(0, 10)}.${format}`;
}

export async function saveReport(
  ws: Workspace,
  report: MigrationReport,
  path: string,
  format: ReportFormat,
): Promise<{ path: string; savedAt: string }> {
  if (!isAbsolute(path)) throw new AppError('invalid_input', `${path} is not an absolute path.`);
  const st = await fsp.stat(path).catch(() => null);
  if (st?.isDirectory()) throw new AppError('invalid_input', `${path} is a folder; choose a file name.`);
  try {
    await fsp.writeFile(path, renderReport(report, format), { mode: 0o600 });
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'unknown';
    throw new AppError('invalid_input', `The report could not be written to ${path} (${code}).`);
  }
  const savedAt = new Date().toISOString();
  if (!ws.readOnly)
    ws.db.transaction(() => {
      ws.setSetting(LAST_SAVED, { at: savedAt, format, generatedAt: report.generatedAt });
      ws.audit.append({ actor: 'admin', action: 'report.saved', details: { format } });
    })();
  return { path, savedAt };
}

export function lastReportSave(ws: Workspace): { at: string; format: ReportFormat } | null {
  return ws.getSetting<{ at: string; format: ReportFormat }>(LAST_SAVED) ?? null;
}

/** The wizard's done-condition: a report was saved after the last verification. */
export function reportSavedAfterVerification(ws: Workspace): boolean {
  const v = latestVerification(ws);
  const saved = lastReportSave(ws);
  return Boolean(v && saved && saved.at >= v.finishedAt);
}
