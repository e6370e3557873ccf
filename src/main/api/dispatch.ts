import { contract, type Contract, type Input, type Output, type Result } from '../../shared/contract';
import { AppError, toAppError } from '../../shared/errors';
import { operationNames, type OperationName } from '../../shared/operations';
import type { Logger } from '../log';
import { silentLogger } from '../log';

export type Handlers = {
  [K in OperationName]: (input: Parsed<K>) => Promise<Output<K>>;
};
type Parsed<K extends OperationName> = ReturnType<Contract[K]['input']['parse']>;
export type Dispatcher = (name: string, input: unknown) => Promise<Result<unknown>>;

const known = new Set<string>(operationNames);

// Every transport (Electron IPC, the test harness's WebSocket, the CLI) goes through here: unknown names and
// invalid inputs are refused before a handler runs, outputs are checked against the contract, and failures come
// back as typed errors whose messages were written by us, never a stack trace or a raw library message.
export function createDispatcher(handlers: Handlers, logger: Logger = silentLogger): Dispatcher {
  return async (name, input) => {
    const started = Date.now();
    if (!known.has(name)) {
      logger.log('warn', 'ipc.refused', { reason: 'unknown_operation' });
      return { ok: false, error: new AppError('invalid_input', 'Unknown operation.').toJSON() };
    }
    const op = name as OperationName;
    const spec = contract[op];
    const parsed = spec.input.safeParse(input ?? {});
    if (!parsed.success) {
      // Field paths and issue kinds only: the rejected values may be secrets.
      const where = parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`)
        .join('; ');
      logger.log('warn', 'ipc.invalid_input', { op });
      return {
        ok: false,
        error: new AppError('invalid_input', `Invalid input for ${op}: ${where}`).toJSON(),
      };
    }
    try {
      const handler = handlers[op] as (i: unknown) => Promise<unknown>;
      const value = spec.output.parse(await handler(parsed.data));
      logger.log('info', 'ipc.ok', { op, ms: Date.now() - started });
      return { ok: true, value };
    } catch (err) {
      const appErr = toAppError(err);
      logger.log(appErr.code === 'internal' ? 'error' : 'warn', 'ipc.failed', {
        op,
        code: appErr.code,
        ms: Date.now() - started,
        // The internal error's class name helps debugging and carries no data.
        ...(appErr.code === 'internal' && err instanceof Error ? { errorClass: err.constructor.name } : {}),
      });
      return { ok: false, error: appErr.toJSON() };
    }
  };
}

/** For in-process callers (CLI, tests): call an operation and get its value or a thrown AppError. */
export async function callOperation<K extends OperationName>(
  dispatch: Dispatcher,
  name: K,
  input: Input<K>,
): Promise<Output<K>> {
  const result = await dispatch(name, input);
  if (!result.ok) throw new AppError(result.error.code, result.error.message, result.error.hint);
  return result.value as Output<K>;
}
