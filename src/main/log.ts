import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

// The app's log: one JSON object per line under <userData>/logs. Callers log operation names, counts, durations
// and error codes, never inputs. The redactor is defence in depth for the day someone forgets: every secret the
// process learns is registered, and any line containing one (or an email address) has it masked before writing.
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

export class Redactor {
  private readonly secrets = new Set<string>();
  register(secret: string | null | undefined): void {
    // Very short values would mask ordinary words; secrets we handle are long.
    if (secret && secret.length >= 8) this.secrets.add(secret);
  }
  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join('[redacted]');
    return out.replace(EMAIL, '[email]');
  }
}

export const redactor = new Redactor();

export type LogLevel = 'info' | 'warn' | 'error';
export interface Logger {
  log(
    level: LogLevel,
    event: string,
    fields?: Record<string, string | number | boolean | null | undefined>,
  ): void;
}

export function fileLogger(dir: string, name = 'app.log'): Logger {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, name);
  return {
    log(level, event, fields = {}) {
      const line = redactor.redact(JSON.stringify({ at: new Date().toISOString(), level, event, ...fields }));
      appendFileSync(file, line + '\n', { mode: 0o600 });
    },
  };
}

export const silentLogger: Logger = { log() {} };
