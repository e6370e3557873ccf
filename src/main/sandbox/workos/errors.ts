// The error bodies WorkOS answers with. Shapes follow @workos/openapi-spec: `{code, message}` for most
// 4xx, plus `errors[]` for user_creation_error (which the SDK turns into a BadRequestException).

export interface WorkosErrorBody {
  code?: string;
  message: string;
  errors?: { code: string; message: string; field?: string }[];
  [extra: string]: unknown;
}

export class WorkosApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: WorkosErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(`WorkOS ${status} ${body.code ?? ''}`.trim());
    this.name = 'WorkosApiError';
  }
}

export function notFound(entity: string, id: string): WorkosApiError {
  return new WorkosApiError(404, {
    code: 'entity_not_found',
    message: `${entity} not found: '${id}'.`,
    entity_id: id,
  });
}

export function badRequest(code: string, message: string): WorkosApiError {
  return new WorkosApiError(400, { code, message });
}

export function unprocessable(code: string, message: string): WorkosApiError {
  return new WorkosApiError(422, { code, message });
}
