/**
 * A fast pre-check derived from a zod record schema: "every field is present with the right type". Valid
 * uWSGI records pass it and are used as they are; only records that fail it go through zod, which then
 * supplies defaults and the issue paths. This keeps zod the single source of truth while the common case
 * (tens of thousands of cores in a big document) costs a few typeof checks per field.
 */
import type { z } from 'zod';

type Check = (value: unknown) => boolean;

// zod v4 keeps its definition on `_zod.def`; only the shapes schema.ts uses are understood here.
interface Def {
  type: string;
  innerType?: { _zod: { def: Def } };
  element?: { _zod: { def: Def } };
  shape?: Record<string, { _zod: { def: Def } }>;
}

/**
 * JavaScript source testing `expr` against `def`, or null when the pre-check cannot decide (defer to zod).
 * `helpers` collects nested checks (arrays, objects) that the generated code calls by index.
 */
function testSource(def: Def, expr: string, helpers: Check[]): { test: string; optional: boolean } | null {
  switch (def.type) {
    case 'number':
      return { test: `typeof ${expr} === 'number'`, optional: false };
    case 'string':
      return { test: `typeof ${expr} === 'string'`, optional: false };
    case 'optional': {
      // Absent is fine (stays absent); present must be right.
      const inner = testSource(def.innerType!._zod.def, expr, helpers);
      return inner && { test: inner.test, optional: true };
    }
    case 'default':
      // Absent needs the default, which only zod supplies: not optional for the pre-check.
      return testSource(def.innerType!._zod.def, expr, helpers);
    case 'array': {
      const element = compileDef(def.element!._zod.def);
      helpers.push((v) => {
        if (!Array.isArray(v)) return false;
        for (let i = 0; i < v.length; i++) if (!element(v[i])) return false;
        return true;
      });
      return { test: `h[${helpers.length - 1}](${expr})`, optional: false };
    }
    case 'object':
      helpers.push(compileShape(def.shape!));
      return { test: `h[${helpers.length - 1}](${expr})`, optional: false };
    default:
      return null;
  }
}

function compileDef(def: Def): Check {
  const helpers: Check[] = [];
  const t = testSource(def, 'v', helpers);
  if (t === null) return () => false;
  return new Function('h', `return (v) => ${t.test};`)(helpers) as Check;
}

/*
 * The check is generated as straight-line code with literal property names (like zod's own JIT) because
 * objects from JSON.parse with the same keys share a hidden class, so each property read becomes a cached
 * load; a loop over a key table reads keys dynamically and was the largest part of decoding big documents.
 * The keys come from our own schemas, never from a document.
 */
function compileShape(shape: Record<string, { _zod: { def: Def } }>): Check {
  const helpers: Check[] = [];
  const lines: string[] = [];
  for (const [key, s] of Object.entries(shape)) {
    const expr = `o[${JSON.stringify(key)}]`;
    const t = testSource(s._zod.def, 'x', helpers);
    if (t === null) return () => false;
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

/** Build the "already valid as is" test for a z.object record schema. */
export function compileFastCheck(schema: z.ZodObject): (value: unknown) => boolean {
  return compileShape(schema.shape as unknown as Record<string, { _zod: { def: Def } }>);
}
