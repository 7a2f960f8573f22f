import { readFileSync } from 'node:fs';
import { type ErrorObject } from 'ajv';
import leven from 'leven';
import { LineCounter, parseDocument } from 'yaml';
import { VigilError } from '../errors.js';
import { createAjv } from '../validate.js';
import { runConfigChecks, type CheckIssue } from './checks.js';
import { migrateConfig } from './migrate.js';
import { positionOf, type SourcePosition } from './positions.js';
import { GatewayConfig } from './schema.js';
import { substituteEnv } from './substitute.js';

export interface ConfigProblem {
  file: string;
  line?: number;
  col?: number;
  /** JSON pointer to the field. */
  path: string;
  message: string;
  hint?: string;
}

export type ConfigResult = { ok: true; config: GatewayConfig } | { ok: false; problems: ConfigProblem[] };

// Defaults are filled in while validating (so a field with a default is never "required"); they only
// add keys, so every error path still matches what the user wrote.
const validateWithDefaults = createAjv({ useDefaults: true }).compile({ ...GatewayConfig, $id: undefined });

export function formatProblem(p: ConfigProblem): string {
  const where = p.line !== undefined ? `${p.file}:${p.line}:${p.col}` : p.file;
  return `${where}: ${p.path || '(file)'} ${p.message}${p.hint ? ` (${p.hint})` : ''}`;
}

/** Loads, substitutes, migrates, validates and cross-checks a gateway config file. Never throws. */
export function checkConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): ConfigResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { ok: false, problems: [{ file, path: '', message: `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` }] };
  }
  return checkConfigText(text, file, env);
}

export function checkConfigText(text: string, file: string, env: NodeJS.ProcessEnv = process.env): ConfigResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return { file, line: pos.line, col: pos.col, path: '', message: `YAML syntax: ${e.message.split('\n')[0]}` };
      }),
    };
  }
  const at = (path: string, asKey = false): Partial<SourcePosition> => positionOf(doc, lines, path, asKey) ?? {};

  const substitution = substituteEnv(doc, env);
  if (substitution.length) {
    return {
      ok: false,
      problems: substitution.map((s) => {
        const pos = s.node.range ? lines.linePos(s.node.range[0]) : undefined;
        return { file, line: pos?.line, col: pos?.col, path: '', message: s.message };
      }),
    };
  }

  const raw: unknown = doc.toJS();
  const migrated = migrateConfig(raw);
  if (!migrated.ok) return { ok: false, problems: [{ file, ...at('/version'), path: '/version', message: migrated.message }] };

  const config = structuredClone(migrated.value) as GatewayConfig;
  const schemaValid = validateWithDefaults(config);
  const problems = schemaValid ? [] : schemaProblems(validateWithDefaults.errors ?? [], file, at);
  problems.push(...crossProblems(config, schemaValid).map((i) => ({ file, ...at(i.path), path: i.path, message: i.message })));
  if (problems.length) return { ok: false, problems: sortByPosition(problems) };
  return { ok: true, config };
}

/** Throws one VigilError listing every problem; for processes that cannot start without a config. */
export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const r = checkConfigFile(file, env);
  if (r.ok) return r.config;
  throw new VigilError('VIGIL_ERR_CONFIG_INVALID', `config ${file} has ${r.problems.length} problem(s):\n${r.problems.map(formatProblem).join('\n')}\nFix them, then run: npx vigil config check ${file}`);
}

/**
 * Cross-field checks also run on a file that failed the schema, so one `config check` names every
 * problem; a check that trips over a malformed part is skipped, since the schema already reported it.
 */
function crossProblems(config: GatewayConfig, schemaValid: boolean): CheckIssue[] {
  try {
    return runConfigChecks(config);
  } catch (err) {
    if (schemaValid) throw err;
    return [];
  }
}

function sortByPosition(problems: ConfigProblem[]): ConfigProblem[] {
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
}

function suggest(word: string, candidates: string[]): string | undefined {
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = leven(word.toLowerCase(), c.toLowerCase());
    if (!best || d < best.d) best = { c, d };
  }
  return best && best.d <= Math.max(2, Math.floor(word.length / 3)) ? best.c : undefined;
}

function schemaProblems(errors: ErrorObject[], file: string, at: (p: string, asKey?: boolean) => Partial<SourcePosition>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const anyOfPaths = new Map<string, string[]>();
  for (const e of errors) {
    const path = e.instancePath;
    switch (e.keyword) {
      case 'if':
        break;
      case 'additionalProperties': {
        const key = (e.params as { additionalProperty: string }).additionalProperty;
        const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
        const guess = suggest(key, known);
        problems.push({
          file,
          ...at(`${path}/${key}`, true),
          path: `${path}/${key}`,
          message: `unknown key "${key}"`,
          hint: guess ? `did you mean "${guess}"?` : `known keys here: ${known.join(', ')}`,
        });
        break;
      }
      case 'required': {
        const key = (e.params as { missingProperty: string }).missingProperty;
        const desc = ((e.parentSchema as { properties?: Record<string, { description?: string }> } | undefined)?.properties?.[key])?.description;
        problems.push({ file, ...at(path), path: `${path}/${key}`, message: `is required`, hint: desc });
        break;
      }
      case 'const': {
        // literal unions: collect the allowed values per path, reported once below
        const v = (e.params as { allowedValue: unknown }).allowedValue;
        anyOfPaths.set(path, [...(anyOfPaths.get(path) ?? []), JSON.stringify(v)]);
        break;
      }
      case 'anyOf':
        break;
      default:
        problems.push({ file, ...at(path), path, message: e.message ?? e.keyword, hint: (e.parentSchema as { description?: string } | undefined)?.description });
    }
  }
  for (const [path, values] of anyOfPaths) {
    const got = values.length === 1 ? 'must be' : 'must be one of';
    problems.push({ file, ...at(path), path, message: `${got} ${values.join(', ')}` });
  }
  return problems;
}
