import { CONFIG_VERSION } from './schema.js';

export type Migration = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * Old config files are migrated before they are parsed (Frigate's habit), so a gateway that upgrades
 * keeps running on its old file. Each step takes version N to N+1; none exist yet because v1 is the
 * first published format.
 */
const STEPS: Record<number, (old: Record<string, unknown>) => Record<string, unknown>> = {};

export function migrateConfig(raw: unknown): Migration {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, message: 'the file must be a YAML mapping (key: value) at the top level' };
  let value = raw as Record<string, unknown>;
  const version = value.version;
  if (version === undefined) return { ok: false, message: `has no "version": add "version: ${CONFIG_VERSION}" at the top` };
  if (typeof version !== 'number' || !Number.isInteger(version)) return { ok: false, message: `version must be an integer, got ${JSON.stringify(version)}` };
  if (version > CONFIG_VERSION) return { ok: false, message: `version ${version} is newer than this agent understands (${CONFIG_VERSION}): upgrade the agent` };
  for (let v = version; v < CONFIG_VERSION; v++) {
    const step = STEPS[v];
    if (!step) return { ok: false, message: `version ${version} cannot be migrated (no step from ${v}): rewrite it as version ${CONFIG_VERSION}` };
    value = step(value);
  }
  return { ok: true, value };
}
