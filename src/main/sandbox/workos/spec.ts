import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

// Validates requests against WorkOS's published OpenAPI document (npm @workos/openapi-spec, OpenAPI 3.1,
// so JSON Schema 2020-12). The document is parsed once per process, each operation's schemas are compiled
// on first use and cached. $refs resolve inside the document: it is registered whole as one schema and
// every validator is a $ref (a JSON pointer) into it.

const SPEC_ID = 'workos-openapi';

export interface SpecIssue {
  /** Where the problem is: `body`, `query` or `path`, then a JSON pointer or parameter name. */
  field: string;
  /** The JSON Schema keyword that failed (required, type, maxLength, oneOf...). */
  code: string;
  message: string;
}

export interface SpecViolation {
  method: string;
  /** The OpenAPI path template, e.g. `/user_management/users/{id}`. */
  path: string;
  issues: SpecIssue[];
  requestId: string;
}

export interface RequestParts {
  body: unknown;
  query: URLSearchParams;
  params: Record<string, string>;
}

interface OpenApiParameter {
  name: string;
  in: string;
  required?: boolean;
  style?: string;
  explode?: boolean;
  schema?: unknown;
}

interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }> };
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
}

interface CompiledOperation {
  body: ValidateFunction | null;
  bodyRequired: boolean;
  query: ValidateFunction | null;
  /** Array-valued query parameters: the delimiter of their one-value form, null where only repeated keys apply. */
  queryArrays: Map<string, string | null>;
  path: ValidateFunction | null;
}

let loaded: { doc: OpenApiDocument; ajv: Ajv2020; coercing: Ajv2020 } | null = null;
const compiled = new Map<string, CompiledOperation | null>();

export function specFilePath(): string {
  return createRequire(__filename).resolve('@workos/openapi-spec/spec');
}

function makeAjv(doc: unknown, coerce: boolean): Ajv2020 {
  // strict off: the document carries OpenAPI keywords (example, deprecated, x-*) that are not JSON Schema.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, coerceTypes: coerce });
  addFormats(ajv);
  ajv.addSchema(doc as object, SPEC_ID);
  return ajv;
}

function load(): NonNullable<typeof loaded> {
  if (!loaded) {
    const doc = parse(readFileSync(specFilePath(), 'utf8')) as OpenApiDocument;
    // Query and path values arrive as strings: the coercing instance turns "10" into 10 for integer limits.
    loaded = { doc, ajv: makeAjv(doc, false), coercing: makeAjv(doc, true) };
  }
  return loaded;
}

function pointer(...segments: string[]): string {
  return segments.map((s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');
}

function paramSchema(params: OpenApiParameter[], where: 'query' | 'path'): object | null {
  const own = params.filter((p) => p.in === where);
  if (own.length === 0) return null;
  return {
    type: 'object',
    properties: Object.fromEntries(own.map((p) => [p.name, p.schema ?? {}])),
    required: own.filter((p) => p.required).map((p) => p.name),
  };
}

/**
 * An array query parameter arrives as repeated keys (`a=1&a=2`, style form with explode) or as one delimited
 * value (`a=1,2`: form without explode; `a=1|2`: pipeDelimited; spaceDelimited). WorkOS documents its array
 * parameters as comma-separated (explode: false) while the SDK sends some as repeated keys: both are accepted.
 */
function queryArrays(params: OpenApiParameter[]): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const p of params) {
    const type = (p.schema as { type?: unknown } | undefined)?.type;
    if (p.in !== 'query' || !(type === 'array' || (Array.isArray(type) && type.includes('array')))) continue;
    const style = p.style ?? 'form';
    const explode = p.explode ?? style === 'form';
    const delimiter = style === 'pipeDelimited' ? '|' : style === 'spaceDelimited' ? ' ' : ',';
    out.set(p.name, explode && style === 'form' ? null : delimiter);
  }
  return out;
}

function compile(method: string, template: string): CompiledOperation | null {
  const key = `${method} ${template}`;
  if (compiled.has(key)) return compiled.get(key)!;
  const { doc, ajv, coercing } = load();
  const op = doc.paths[template]?.[method.toLowerCase()];
  let result: CompiledOperation | null = null;
  if (op) {
    const bodySchema = op.requestBody?.content?.['application/json']?.schema;
    const params = op.parameters ?? [];
    const query = paramSchema(params, 'query');
    const path = paramSchema(params, 'path');
    // Parameter schemas hold no $refs into components in this document, but compiling them inside the
    // coercing instance keeps that working if a later version adds some.
    result = {
      body: bodySchema
        ? ajv.compile({
            $ref: `${SPEC_ID}#/${pointer('paths', template, method.toLowerCase(), 'requestBody', 'content', 'application/json', 'schema')}`,
          })
        : null,
      bodyRequired: op.requestBody?.required === true,
      query: query ? coercing.compile(query) : null,
      queryArrays: queryArrays(params),
      path: path ? coercing.compile(path) : null,
    };
  }
  compiled.set(key, result);
  return result;
}

/** Whether the spec documents this operation at all. */
export function specHasOperation(method: string, template: string): boolean {
  return compile(method, template) !== null;
}

function issues(where: string, errors: ErrorObject[] | null | undefined): SpecIssue[] {
  return (errors ?? []).map((e) => {
    const missing =
      e.keyword === 'required'
        ? `/${String((e.params as { missingProperty?: string }).missingProperty)}`
        : '';
    return { field: `${where}${e.instancePath}${missing}`, code: e.keyword, message: e.message ?? e.keyword };
  });
}

function queryObject(
  query: URLSearchParams,
  arrays: Map<string, string | null>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(query.keys())) {
    const all = query.getAll(key);
    if (arrays.has(key)) {
      const delimiter = arrays.get(key);
      out[key] = delimiter ? all.flatMap((v) => (v === '' ? [] : v.split(delimiter))) : all;
    } else out[key] = all.length === 1 ? all[0]! : all;
  }
  return out;
}

/**
 * Problems the spec finds with a request, or [] when it conforms. Throws when the spec does not document
 * the operation: every route the sandbox serves must be checked, so a missing one is a sandbox defect.
 */
export function validateRequest(method: string, template: string, parts: RequestParts): SpecIssue[] {
  const op = compile(method, template);
  if (!op) throw new Error(`The WorkOS OpenAPI spec has no ${method} ${template}`);
  const found: SpecIssue[] = [];
  if (op.body) {
    if (parts.body === undefined) {
      if (op.bodyRequired)
        found.push({ field: 'body', code: 'required', message: 'a JSON body is required' });
    } else if (!op.body(parts.body)) found.push(...issues('body', op.body.errors));
  }
  if (op.query && !op.query(queryObject(parts.query, op.queryArrays)))
    found.push(...issues('query', op.query.errors));
  if (op.path && !op.path({ ...parts.params })) found.push(...issues('path', op.path.errors));
  return found;
}
