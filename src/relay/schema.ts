/**
 * zod schemas of every relay message (protocol.ts declares them, docs/relay-protocol.md describes them), and
 * the decoders both ends use: the relay checks what clients send, the client checks what the relay sends.
 * A message that fails is reported in one line and dropped; nothing past this point reads unchecked JSON.
 */
import { z } from 'zod';
import { SERIES_NAMES, type SeriesName } from '../metrics/series.js';
import { escapeControls } from '../core/safe-text.js';
import { eventSchema, targetUpdateShape, type Same } from './schema-snapshot.js';
import { PROTOCOL_VERSION, type CommandMessage, type CommandResultMessage, type DeltaMessage, type ErrorMessage, type EventMessage, type FeedState, type HelloTarget, type UpdateMessage } from './protocol.js';
import type { DeltaOp } from './delta.js';

const version = z.literal(PROTOCOL_VERSION);
const nullableNum = z.number().nullable();

/** One object field per history series, each optional: built from SERIES_NAMES so a new series needs no edit here. */
function perSeries<T extends z.ZodType>(schema: T): z.ZodObject<Record<SeriesName, z.ZodOptional<T>>> {
  return z.object(Object.fromEntries(SERIES_NAMES.map((name) => [name, schema.optional()])) as Record<SeriesName, z.ZodOptional<T>>);
}

const wireSeriesSchema = z.object({ t: z.array(z.number()), v: z.array(nullableNum) });

/** One target of a hello (checked one by one, so one bad target costs only itself). */
export const helloTargetSchema = z.object({
  target: z.string(),
  intervalMs: z.number(),
  rev: z.number(),
  latest: z.object(targetUpdateShape).nullable(),
  history: perSeries(wireSeriesSchema),
  events: z.array(eventSchema),
});

/** A hello with its targets left unchecked: the client checks them one by one. */
export const helloEnvelopeSchema = z.object({
  v: version,
  type: z.literal('hello'),
  server: z.string(),
  historySize: z.number(),
  control: z.boolean(),
  commands: z.array(z.string()),
  targets: z.array(z.unknown()),
});

const pollShape = { target: z.string(), rev: z.number(), events: z.array(eventSchema), points: perSeries(nullableNum), at: z.number() };

export const updateMessageSchema = z.object({ v: version, type: z.literal('update'), ...targetUpdateShape, ...pollShape });

const pathStep = z.union([z.string(), z.number()]);
const deltaOpSchema = z.union([z.tuple([z.array(pathStep), z.unknown()]), z.tuple([z.array(pathStep)])]) as unknown as z.ZodType<DeltaOp>;

/** A delta's envelope; the state it produces is checked with feedStateSchema once applied. */
export const deltaMessageSchema = z.object({ v: version, type: z.literal('delta'), ...pollShape, ops: z.array(deltaOpSchema) });

const { target: _target, events: _events, ...stateShape } = targetUpdateShape;
/** A target's state after a delta was applied (what an update carries, without target and events). */
export const feedStateSchema = z.object(stateShape);

export const eventMessageSchema = z.object({ v: version, type: z.literal('event'), target: z.string(), events: z.array(eventSchema) });

export const commandResultSchema = z.object({
  v: version,
  type: z.literal('command-result'),
  id: z.string(),
  target: z.string(),
  command: z.string(),
  ok: z.boolean(),
  message: z.string(),
});

export const errorMessageSchema = z.object({ v: version, type: z.literal('error'), message: z.string() });

/** The only message a client may send. */
export const commandMessageSchema = z.object({
  // Commands did not change in version 2: a version 1 client's are taken too.
  v: z.union([z.literal(1), version]),
  type: z.literal('command'),
  id: z.string().max(64),
  target: z.string().max(1024),
  command: z.string().max(64),
});

/** What one text frame from the relay turned out to be. */
export type ServerFrame =
  | { kind: 'hello'; message: z.output<typeof helloEnvelopeSchema> }
  | { kind: 'update'; message: UpdateMessage }
  | { kind: 'delta'; message: DeltaMessage }
  | { kind: 'event'; message: EventMessage }
  | { kind: 'command-result'; message: CommandResultMessage }
  | { kind: 'error'; message: ErrorMessage }
  /** Another protocol version: the client must refuse the relay. */
  | { kind: 'version'; v: unknown }
  /** A type this client does not know: ignored, as the protocol says. */
  | { kind: 'unknown' }
  /** A known type that failed its schema (or not JSON at all): `type` and `target` as far as they could be read. */
  | { kind: 'invalid'; type: string; target: string | null; problem: string };

const SERVER_SCHEMAS = {
  hello: helloEnvelopeSchema,
  update: updateMessageSchema,
  delta: deltaMessageSchema,
  event: eventMessageSchema,
  'command-result': commandResultSchema,
  error: errorMessageSchema,
} as const;

/** The first issue of a failed parse, in one line: `path: what was wrong` (and how many more). */
export function issueLine(error: z.ZodError, base: ReadonlyArray<PropertyKey> = []): string {
  const [first] = error.issues;
  if (first === undefined) return 'invalid';
  const segments = [...base, ...first.path];
  const path = segments.length === 0 ? '(message)' : segments.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  const more = error.issues.length > 1 ? ` (+${error.issues.length - 1} more)` : '';
  return escapeControls(`${path}: ${first.message}${more}`).replace(/\s+/g, ' ');
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Decode one text frame from the relay. */
export function decodeServerFrame(text: string): ServerFrame {
  const json = parseJson(text);
  if (!json.ok) return { kind: 'invalid', type: 'message', target: null, problem: 'not JSON' };
  const value = json.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'invalid', type: 'message', target: null, problem: 'not a JSON object' };
  const fields = value as Record<string, unknown>;
  if (fields.v !== PROTOCOL_VERSION) return { kind: 'version', v: fields.v };
  const type = fields.type;
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(SERVER_SCHEMAS, type)) return { kind: 'unknown' };
  const known = type as keyof typeof SERVER_SCHEMAS;
  const parsed = SERVER_SCHEMAS[known].safeParse(value);
  if (!parsed.success) return { kind: 'invalid', type, target: typeof fields.target === 'string' ? fields.target : null, problem: issueLine(parsed.error) };
  return { kind: known, message: parsed.data } as ServerFrame;
}

/** Check target `index` of a hello; the problem in one line when it is not one. */
export function decodeHelloTarget(value: unknown, index: number): { ok: true; target: HelloTarget } | { ok: false; problem: string } {
  const parsed = helloTargetSchema.safeParse(value);
  return parsed.success ? { ok: true, target: parsed.data } : { ok: false, problem: issueLine(parsed.error, ['targets', index]) };
}

/** The state a delta produced, or the problem in one line when it is not a valid one. */
export function decodeFeedState(value: unknown): { ok: true; state: FeedState } | { ok: false; problem: string } {
  const parsed = feedStateSchema.safeParse(value);
  return parsed.success ? { ok: true, state: parsed.data } : { ok: false, problem: issueLine(parsed.error) };
}

// Compile-time proof that the schemas describe protocol.ts's declarations.
const schemasMatchProtocol: [
  Same<z.output<typeof helloTargetSchema>, HelloTarget>,
  Same<z.output<typeof updateMessageSchema>, UpdateMessage>,
  Same<z.output<typeof deltaMessageSchema>, DeltaMessage>,
  Same<z.output<typeof feedStateSchema>, FeedState>,
  Same<z.output<typeof eventMessageSchema>, EventMessage>,
  Same<z.output<typeof commandResultSchema>, CommandResultMessage>,
  Same<z.output<typeof errorMessageSchema>, ErrorMessage>,
  Same<z.output<typeof commandMessageSchema>, CommandMessage>,
] = [true, true, true, true, true, true, true, true];
void schemasMatchProtocol;

/** Decode one message from a client: the command, or the reason it is refused. */
export function decodeClientMessage(text: string): { ok: true; message: CommandMessage } | { ok: false; reason: 'not-json' | 'invalid' } {
  const json = parseJson(text);
  if (!json.ok) return { ok: false, reason: 'not-json' };
  const parsed = commandMessageSchema.safeParse(json.value);
  return parsed.success ? { ok: true, message: parsed.data } : { ok: false, reason: 'invalid' };
}
