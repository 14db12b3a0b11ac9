/**
 * A fast pre-check made from a record schema's field specs: "every field is present with the right type".
 * Valid uWSGI records pass it and are used as they are; only records that fail it go through zod, which then
 * supplies defaults and the issue paths. This keeps one description of each record while the common case
 * (tens of thousands of cores in a big document) costs a few typeof checks per field.
 */
import { NUMBER_LIMIT, type FieldSpec, type RecordSchema, type Shape } from './schema.js';

type Check = (value: unknown) => boolean;

/**
 * JavaScript source testing `expr` against `field`; `optional` when absence is fine (it stays absent).
 * `helpers` collects nested checks (objects) that the generated code calls by index.
 */
function testSource(field: FieldSpec, expr: string, helpers: Check[]): { test: string; optional: boolean } {
  switch (field.kind) {
    case 'number':
      // The range of schema.ts's numbers (NUMBER_LIMIT): a number beyond it goes to zod, which reports it.
      // An absent number with a default needs that default, which only zod supplies: not optional here.
      return { test: `(typeof ${expr} === 'number' && ${expr} <= ${NUMBER_LIMIT} && ${expr} >= -${NUMBER_LIMIT})`, optional: field.optional };
    case 'string':
      return { test: `typeof ${expr} === 'string'`, optional: false };
    case 'strings':
      helpers.push((v) => {
        if (!Array.isArray(v)) return false;
        for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return false;
        return true;
      });
      return { test: `h[${helpers.length - 1}](${expr})`, optional: false };
    case 'object':
      helpers.push(compileShape(field.shape));
      return { test: `h[${helpers.length - 1}](${expr})`, optional: false };
  }
}

/*
 * The check is generated as straight-line code with literal property names (like zod's own JIT) because
 * objects from JSON.parse with the same keys share a hidden class, so each property read becomes a cached
 * load; a loop over a key table reads keys dynamically and was the largest part of decoding big documents.
 * The keys come from our own schemas, never from a document.
 */
function compileShape(shape: Shape): Check {
  const helpers: Check[] = [];
  const lines: string[] = [];
  for (const [key, field] of Object.entries(shape)) {
    const expr = `o[${JSON.stringify(key)}]`;
    const t = testSource(field, 'x', helpers);
    lines.push(
      `x = ${expr}; if (x === undefined) { ${t.optional ? '' : 'return false;'} } else if (!(${t.test})) return false;`,
    );
  }
  const body = `return (o) => {
    if (typeof o !== 'object' || o === null || Array.isArray(o)) return false;
    let x;
    ${lines.join('\n    ')}
    return true;
  };`;
  return new Function('h', body)(helpers) as Check;
}

/** Build the "already valid as is" test for a record schema. */
export function compileFastCheck(schema: RecordSchema): (value: unknown) => boolean {
  return compileShape(schema.shape);
}
