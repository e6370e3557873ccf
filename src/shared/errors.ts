import { z } from 'zod';

// Every failure that crosses the IPC boundary or leaves the CLI has this shape: a stable code, a one-line
// message that is safe to show and log (no secret, hash or email address), and an optional hint saying what to do.
export const errorCodes = [
  'invalid_input',
  'forbidden_sender',
  'not_found',
  'no_workspace',
  'workspace_exists',
  'workspace_invalid',
  'workspace_read_only',
  'migration_tampered',
  'location_refused',
  'secrets_unavailable',
  'keychain_unavailable',
  'credentials_missing',
  'credentials_invalid',
  'scope_missing',
  'network',
  'remote_error',
  'not_loopback',
  'job_conflict',
  'plan_stale',
  'cancelled',
  'not_available',
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export const appErrorSchema = z.object({
  code: z.enum(errorCodes),
  message: z.string(),
  hint: z.string().optional(),
});
export type AppErrorShape = z.infer<typeof appErrorSchema>;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  constructor(code: ErrorCode, message: string, hint?: string) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.hint = hint;
  }
  toJSON(): AppErrorShape {
    return this.hint
      ? { code: this.code, message: this.message, hint: this.hint }
      : { code: this.code, message: this.message };
  }
}

// Anything that is not an AppError is reported without its message or stack: those can carry
// file contents, SQL values or request bodies.
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  return new AppError(
    'internal',
    'An unexpected internal error occurred. Details were withheld from this message to avoid leaking data.',
  );
}
