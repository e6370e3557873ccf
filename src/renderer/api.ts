import type { EventPayload, Input, Output } from '../shared/contract';
import type { AppErrorShape, ErrorCode } from '../shared/errors';
import type { EventName, OperationName } from '../shared/operations';

// The renderer's only way out: typed calls over window.api. A failed call throws a UiError that carries
// the code, message and hint main chose to show; nothing else about the failure reaches the page.
export class UiError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  constructor(shape: AppErrorShape) {
    super(shape.message);
    this.name = 'UiError';
    this.code = shape.code;
    this.hint = shape.hint;
  }
}

function bridge() {
  const api = window.api;
  if (!api) {
    throw new UiError({
      code: 'internal',
      message: 'The app bridge (window.api) is missing, so this page cannot reach the app.',
      hint: 'Start the app with `npm run app`, or the UI test harness with `node --import tsx test/harness/serve.ts`.',
    });
  }
  return api;
}

export async function call<K extends OperationName>(name: K, input: Input<K>): Promise<Output<K>> {
  let result;
  try {
    result = await bridge().invoke(name, input);
  } catch (err) {
    if (err instanceof UiError) throw err;
    throw new UiError({
      code: 'internal',
      message: `The call ${name} did not reach the app.`,
      hint: 'The connection to the app was lost. Restart the app and try again.',
    });
  }
  if (!result.ok) throw new UiError(result.error);
  return result.value;
}

export function subscribe<K extends EventName>(
  name: K,
  listener: (payload: EventPayload<K>) => void,
): () => void {
  const api = window.api;
  return api ? api.on(name, listener) : () => undefined;
}

export function asUiError(err: unknown): UiError {
  if (err instanceof UiError) return err;
  return new UiError({ code: 'internal', message: 'Something went wrong in the interface.' });
}
