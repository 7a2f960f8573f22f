import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { VigilError } from './errors.js';
import { EventSchema, type VigilEvent } from './event.js';
import { EvidenceChunk, GatewayConfigMessage, GatewayHealth, GatewayStatus } from './gateway.js';
import { Telemetry } from './telemetry.js';

// ajv-formats is CommonJS with a default export; under NodeNext it arrives as the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export interface ContractIssue {
  /** JSON pointer to the bad field, e.g. /attributes/water_level_cm ("" for the whole message). */
  path: string;
  message: string;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; issues: ContractIssue[] };

/** Turns ajv's errors into one line per bad field, pointing at the field itself. */
export function toIssues(errors: ErrorObject[] | null | undefined): ContractIssue[] {
  const issues: ContractIssue[] = [];
  for (const e of errors ?? []) {
    if (e.keyword === 'if') continue; // the failing "then" branch is reported on its own
    if (e.keyword === 'additionalProperties') {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      issues.push({ path: `${e.instancePath}/${key}`, message: 'is not a known field' });
    } else if (e.keyword === 'required') {
      const key = (e.params as { missingProperty: string }).missingProperty;
      issues.push({ path: `${e.instancePath}/${key}`, message: 'is required' });
    } else if (e.keyword === 'enum' || e.keyword === 'const') {
      const allowed = e.keyword === 'enum' ? (e.params as { allowedValues: unknown[] }).allowedValues : [(e.params as { allowedValue: unknown }).allowedValue];
      issues.push({ path: e.instancePath, message: `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}` });
    } else {
      issues.push({ path: e.instancePath, message: e.message ?? e.keyword });
    }
  }
  return mergeUnionIssues(issues);
}

/** TypeBox literal unions compile to anyOf of consts: fold their per-branch complaints into one line. */
function mergeUnionIssues(issues: ContractIssue[]): ContractIssue[] {
  const byPath = new Map<string, ContractIssue[]>();
  for (const i of issues) byPath.set(i.path, [...(byPath.get(i.path) ?? []), i]);
  const out: ContractIssue[] = [];
  for (const [path, list] of byPath) {
    const consts = list.filter((i) => i.message.startsWith('must be one of '));
    if (consts.length > 1) {
      const values = consts.map((i) => i.message.slice('must be one of '.length)).join(', ');
      out.push({ path, message: `must be one of ${values}` });
      out.push(...list.filter((i) => !consts.includes(i) && i.message !== 'must match a schema in anyOf'));
    } else {
      out.push(...list);
    }
  }
  return out;
}

export function createAjv(options: Options = {}): Ajv {
  // verbose: errors carry their parent schema, which the config loader uses for "did you mean"
  const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true, verbose: true, ...options });
  addFormats(ajv);
  return ajv;
}

const ajv = createAjv();

export type MessageKind = 'event' | 'telemetry' | 'gateway-status' | 'gateway-health' | 'gateway-config' | 'evidence-chunk';

export const MESSAGE_SCHEMAS: Readonly<Record<MessageKind, object>> = {
  event: EventSchema,
  telemetry: Telemetry,
  'gateway-status': GatewayStatus,
  'gateway-health': GatewayHealth,
  'gateway-config': GatewayConfigMessage,
  'evidence-chunk': EvidenceChunk,
};

export interface MessageTypes {
  event: VigilEvent;
  telemetry: import('./telemetry.js').Telemetry;
  'gateway-status': import('./gateway.js').GatewayStatus;
  'gateway-health': import('./gateway.js').GatewayHealth;
  'gateway-config': import('./gateway.js').GatewayConfigMessage;
  'evidence-chunk': import('./gateway.js').EvidenceChunk;
}

const compiled = new Map<MessageKind, ValidateFunction>();
function validatorFor(kind: MessageKind): ValidateFunction {
  let v = compiled.get(kind);
  if (!v) {
    v = ajv.compile(MESSAGE_SCHEMAS[kind]);
    compiled.set(kind, v);
  }
  return v;
}

/** Checks a parsed value against the contract. */
export function validateMessage<K extends MessageKind>(kind: K, value: unknown): Validation<MessageTypes[K]> {
  const validate = validatorFor(kind);
  if (validate(value)) return { ok: true, value: value as MessageTypes[K] };
  return { ok: false, issues: toIssues(validate.errors) };
}

export const DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024;

/** Parses and validates a raw MQTT payload. Never throws: bad input is data for the dead-letter table. */
export function decodeMessage<K extends MessageKind>(
  kind: K,
  payload: Uint8Array | string,
  maxBytes = DEFAULT_MAX_MESSAGE_BYTES,
): Validation<MessageTypes[K]> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > maxBytes) return { ok: false, issues: [{ path: '', message: `is ${size} bytes, over the ${maxBytes}-byte limit` }] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'));
  } catch (err) {
    return { ok: false, issues: [{ path: '', message: `is not valid JSON (${(err as Error).message})` }] };
  }
  if (parsed && typeof parsed === 'object' && 'v' in parsed && (parsed as { v: unknown }).v !== 1) {
    return { ok: false, issues: [{ path: '/v', message: `contract version ${JSON.stringify((parsed as { v: unknown }).v)} is not supported (this build speaks v1)` }] };
  }
  return validateMessage(kind, parsed);
}

/** For producers: throws with every bad path, so a bug in our own code cannot publish garbage. */
export function assertMessage<K extends MessageKind>(kind: K, value: unknown): MessageTypes[K] {
  const r = validateMessage(kind, value);
  if (r.ok) return r.value;
  throw new VigilError('VIGIL_ERR_CONTRACT_INVALID', `${kind} breaks the contract: ${formatIssues(r.issues)}`);
}

export function formatIssues(issues: ContractIssue[]): string {
  return issues.map((i) => `${i.path || '(message)'} ${i.message}`).join('; ');
}
