// fast-check values from an OpenAPI (JSON Schema) fragment: mostly valid values, with every field sometimes
// replaced by any JSON at all, so both the happy path and the validator's edges are walked.
import fc from 'fast-check';

export type JsonSchema = {
  type?: string;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
};

const anyJson = fc.jsonValue({ maxDepth: 3 });

export function schemaArbitrary(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return anyJson;
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s) => schemaArbitrary(s, depth + 1)));
  switch (schema.type) {
    case 'string':
      if (schema.pattern) return fc.oneof(fc.stringMatching(new RegExp(schema.pattern)), fc.string({ maxLength: 40 }));
      return fc.oneof(
        fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 60, 60) }),
        fc.constantFrom('', '   ', '100m', '256Mi', '512x512', '\u0000', 'x'.repeat((schema.maxLength ?? 60) + 1)),
      );
    case 'integer':
      return fc.oneof(fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000 }), fc.integer(), fc.double());
    case 'number':
      return fc.oneof(fc.double({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000, noNaN: true }), fc.double());
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(schemaArbitrary(schema.items, depth + 1), { maxLength: 4 });
    case 'object': {
      const properties = schema.properties ?? {};
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, sub] of Object.entries(properties)) {
        model[name] = fc.oneof({ weight: 4, arbitrary: schemaArbitrary(sub, depth + 1) }, { weight: 1, arbitrary: anyJson });
      }
      const required = (schema.required ?? []).filter((name) => name in properties);
      return fc.oneof(
        { weight: 3, arbitrary: fc.record(model, { requiredKeys: required }) },
        { weight: 1, arbitrary: fc.record(model, { requiredKeys: [] }) },
        {
          weight: 1,
          arbitrary: fc
            .tuple(fc.record(model, { requiredKeys: required }), fc.dictionary(fc.string({ maxLength: 12 }), anyJson, { maxKeys: 2 }))
            .map(([a, b]) => ({ ...b, ...a })),
        },
      );
    }
    default:
      return anyJson;
  }
}
