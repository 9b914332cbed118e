import AjvModule, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { parseQuantity } from '../domain/quantities.ts';
import type { ErrorDetail } from '../domain/errors.ts';
import { TEXT_RULE_MESSAGES } from '../domain/text-rules.ts';
import { isResolution } from '../../contract/render-config.ts';
import { PAST_MAXIMUM } from './schemas/common-schemas.ts';

const Ajv = AjvModule.default;
type Ajv = InstanceType<typeof Ajv>;

/** The formats the API's schemas name; tests that check answers against the OpenAPI document use them too. */
export function withFormats(ajv: Ajv): Ajv {
  addFormats.default(ajv, ['date-time']);
  ajv.addFormat('k8s-quantity', { type: 'string', validate: (s: string) => parseQuantity(s) !== null });
  ajv.addFormat('resolution', { type: 'string', validate: isResolution });
  return ajv;
}

// Bodies are taken as sent: no type coercion, nothing silently removed, so unknown fields are refused.
const bodyAjv = withFormats(
  new Ajv({ allErrors: true, verbose: true, coerceTypes: false, removeAdditional: false, useDefaults: false, strict: false }),
);
// Query strings and path parameters are text: "?limit=10" must become a number.
const textAjv = withFormats(
  new Ajv({ allErrors: true, verbose: true, coerceTypes: true, removeAdditional: false, useDefaults: true, strict: false }),
);

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? bodyAjv : textAjv).compile(schema as object);

const FORMAT_MESSAGES: Record<string, string> = {
  'k8s-quantity': 'must be a Kubernetes quantity such as "500m", "2" or "8Gi"',
  resolution: 'must be WIDTHxHEIGHT with each side an even number from 64 to 4096, e.g. "512x512"',
};

/** A JSON type as a sentence names it: "an integer", "a string", "null". */
const typeNamed = (type: string | undefined) =>
  type === 'null' ? 'null' : type === undefined ? 'a value' : `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;

/** Ajv's errors as the design's `details`: a dotted path and a message a person can act on. */
export function toErrorDetails(errors: ErrorObject[], part: string): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const seen = new Set<string>();
  const dotted = (pointer: string) => pointer.replace(/^\//, '').replace(/\//g, '.');
  // A failed union reports every branch's error too. When the value has the type of one branch (a string
  // too long for `string | null`), that branch's own errors say what is wrong; otherwise the union's summary does.
  const unions = errors.filter((e) => e.keyword === 'anyOf');
  const unionOf = (e: ErrorObject) =>
    unions.find((u) => u !== e && u.instancePath === e.instancePath && e.schemaPath.startsWith(`${u.schemaPath}/`));
  const specific = (e: ErrorObject) => !['type', 'const', 'anyOf'].includes(e.keyword);
  const narrowed = new Set(
    errors
      .filter((e) => specific(e))
      .map(unionOf)
      .filter((u) => u !== undefined),
  );
  for (const e of errors) {
    if (narrowed.has(e)) continue;
    const union = unionOf(e);
    if (union && !(narrowed.has(union) && specific(e))) continue;
    let path = dotted(e.instancePath);
    let message = e.message ?? 'is not valid';
    if (e.keyword === 'additionalProperties') {
      const field = (e.params as { additionalProperty: string }).additionalProperty;
      path = path ? `${path}.${field}` : field;
      message = 'is not a known field';
    } else if (e.keyword === 'required') {
      const field = (e.params as { missingProperty: string }).missingProperty;
      path = path ? `${path}.${field}` : field;
      message = 'is required';
    } else if (e.keyword === 'maxLength' || e.keyword === 'minLength') {
      const limit = (e.params as { limit: number }).limit;
      message =
        e.keyword === 'maxLength'
          ? `must be at most ${limit} characters long`
          : limit === 1
            ? 'must not be empty'
            : `must be at least ${limit} characters long`;
    } else if (e.keyword === 'maximum') {
      const instead = (e.parentSchema as Record<string, unknown> | undefined)?.[PAST_MAXIMUM];
      if (typeof instead === 'string') message = `must be at most ${(e.params as { limit: number }).limit}; ${instead}`;
    } else if (e.keyword === 'pattern') {
      message = TEXT_RULE_MESSAGES[(e.params as { pattern: string }).pattern] ?? message;
    } else if (e.keyword === 'format') {
      message = FORMAT_MESSAGES[(e.params as { format: string }).format] ?? message;
    } else if (e.keyword === 'type') {
      // Ajv says "must be integer"; a type list (`['string', 'null']`) comes joined by commas.
      message = `must be ${String((e.params as { type: string | string[] }).type)
        .split(',')
        .map(typeNamed)
        .join(' or ')}`;
    } else if (e.keyword === 'anyOf') {
      const branches = (e.schema as { const?: unknown; type?: string }[]) ?? [];
      message = branches.every((b) => b.const !== undefined)
        ? `must be one of ${branches.map((b) => JSON.stringify(b.const)).join(', ')}`
        : `must be ${branches.map((b) => typeNamed(b.type)).join(' or ')}`;
    }
    if (!path && part !== 'body') path = part;
    const key = `${path}|${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      details.push({ path, message });
    }
  }
  return details.length ? details : [{ path: part, message: 'is not valid' }];
}
