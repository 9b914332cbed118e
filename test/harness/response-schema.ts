// What the OpenAPI document promises an answer looks like, checked against what the server answered. The serializer
// is plain JSON.stringify (src/http/app.ts), so nothing but a test keeps the answers and the document together.
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import { withFormats } from '../../src/http/validator.ts';

const Ajv = AjvModule.default;

type JsonSchema = Record<string, any>;

export interface OpenApiDocument {
  paths: Record<string, Record<string, { security?: unknown[]; responses?: Record<string, ResponseObject> }>>;
  components?: { schemas?: Record<string, JsonSchema>; responses?: Record<string, ResponseObject> };
}

interface ResponseObject {
  /** A response the document names once, under components.responses. */
  $ref?: string;
  description?: string;
  content?: Record<string, { schema?: JsonSchema }>;
}

export interface Answer {
  status: number;
  contentType: string;
  /** The body as text (empty when there is none). */
  text: string;
  /** The Location header, where the answer has one (a WHEP viewer's URL). */
  location?: string | null;
}

const ajv = withFormats(new Ajv({ allErrors: true, strict: false }));
const compiled = new WeakMap<JsonSchema, { documented: ValidateFunction; closed: ValidateFunction }>();

function validators(document: OpenApiDocument, schema: JsonSchema) {
  let pair = compiled.get(schema);
  if (!pair) {
    const whole = inlined(document, schema);
    pair = { documented: ajv.compile(whole), closed: ajv.compile(closed(whole)) };
    compiled.set(schema, pair);
  }
  return pair;
}

const COMPONENT = '#/components/schemas/';

/** The schema with each `$ref` to the document's components replaced by the component, so `closed` sees every object. */
function inlined(document: OpenApiDocument, schema: JsonSchema): JsonSchema {
  if (schema === null || typeof schema !== 'object') return schema;
  if (Array.isArray(schema)) return schema.map((item) => inlined(document, item));
  if (typeof schema.$ref === 'string' && schema.$ref.startsWith(COMPONENT)) {
    const component = document.components?.schemas?.[schema.$ref.slice(COMPONENT.length)];
    if (!component) throw new Error(`${schema.$ref} is not in the document`);
    return inlined(document, component);
  }
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, inlined(document, value)]));
}

/**
 * The schema with every object that lists its properties closed to others: an answer's field that the document
 * does not name is a field no client can know of. An `allOf` of objects becomes one object, so closing each part
 * does not refuse the other's fields.
 */
export function closed(schema: JsonSchema): JsonSchema {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  let out: JsonSchema = { ...schema };
  if (Array.isArray(out.allOf) && out.allOf.every((part: JsonSchema) => part.type === 'object' && part.properties)) {
    const { allOf, ...rest } = out;
    out = {
      ...rest,
      type: 'object',
      properties: Object.assign({}, rest.properties, ...allOf.map((part: JsonSchema) => part.properties)),
      required: [...new Set([...(rest.required ?? []), ...allOf.flatMap((part: JsonSchema) => part.required ?? [])])],
    };
  }
  if (out.properties) {
    out.properties = Object.fromEntries(Object.entries(out.properties).map(([name, value]) => [name, closed(value as JsonSchema)]));
    if (out.additionalProperties === undefined && out.patternProperties === undefined) out.additionalProperties = false;
  }
  if (out.items) out.items = closed(out.items);
  for (const key of ['anyOf', 'oneOf', 'allOf']) if (Array.isArray(out[key])) out[key] = out[key].map(closed);
  return out;
}

const describe = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? [])
    .map(
      (e) =>
        `${e.instancePath || '(body)'} ${e.message}${e.keyword === 'additionalProperties' ? ` (${(e.params as { additionalProperty: string }).additionalProperty})` : ''}`,
    )
    .join('; ');

/**
 * What is wrong with `answer` as the answer of `method path` by the document: an undocumented status or content type,
 * a body the status's schema refuses, a field it does not name, or a body where the document has none. Empty: none.
 */
export function answerProblems(document: OpenApiDocument, method: string, path: string, answer: Answer): string[] {
  const where = `${method.toUpperCase()} ${path} ${answer.status}`;
  const operation = document.paths[path]?.[method.toLowerCase()];
  if (!operation) return [`${method.toUpperCase()} ${path} is not in the document`];
  const responses = operation.responses ?? {};
  let response: ResponseObject | undefined =
    responses[String(answer.status)] ?? responses[`${String(answer.status)[0]}XX`] ?? responses.default;
  if (response?.$ref) response = document.components?.responses?.[response.$ref.replace('#/components/responses/', '')];
  if (!response) return [`${where}: the status is not documented (documented: ${Object.keys(responses).join(', ')})`];
  if (!response.content) return answer.text === '' ? [] : [`${where}: answered a ${answer.contentType} body, the document says none`];
  const mediaType = answer.contentType.split(';')[0].trim().toLowerCase();
  const content = response.content[mediaType];
  if (!content)
    return [`${where}: answered ${mediaType || 'no content type'}, the document says ${Object.keys(response.content).join(' or ')}`];
  if (!content.schema) return [];
  let body: unknown = answer.text;
  if (mediaType.endsWith('json')) {
    try {
      body = JSON.parse(answer.text);
    } catch {
      return [`${where}: the body is not JSON`];
    }
  }
  const { documented, closed: strict } = validators(document, content.schema);
  if (!documented(body)) return [`${where}: ${describe(documented.errors)}`];
  if (!strict(body)) return [`${where}: answers what the document does not name: ${describe(strict.errors)}`];
  return [];
}

/** Every operation of the document, as `METHOD /path/{param}`. */
export function operationsOf(document: OpenApiDocument): { key: string; method: string; path: string; secured: boolean }[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      key: `${method.toUpperCase()} ${path}`,
      method: method.toUpperCase(),
      path,
      secured: !!operation.security?.length,
    })),
  );
}
