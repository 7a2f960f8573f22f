import { GatewayConfig } from './schema.js';
import { CAMERA_CHECKS, verifyCameraIdsAreUnique } from './checks.js';

interface SchemaNode {
  type?: string;
  description?: string;
  default?: unknown;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode | SchemaNode[];
  anyOf?: SchemaNode[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  pattern?: string;
}

function typeOf(s: SchemaNode): string {
  if (s.anyOf && s.anyOf.every((a) => a.const !== undefined)) return s.anyOf.map((a) => `\`${String(a.const)}\``).join(' \\| ');
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.type === 'array') {
    const item = Array.isArray(s.items) ? 'tuple' : s.items ? typeOf(s.items) : 'any';
    return Array.isArray(s.items) ? `[${s.items.map(typeOf).join(', ')}]` : `list of ${item}`;
  }
  return s.type ?? 'any';
}

function rows(s: SchemaNode, path: string, out: string[]): void {
  for (const [key, child] of Object.entries(s.properties ?? {})) {
    const p = path ? `${path}.${key}` : key;
    const required = s.required?.includes(key) && child.default === undefined ? 'yes' : '';
    const def = child.default !== undefined && !(typeof child.default === 'object' && Object.keys(child.default as object).length === 0) ? `\`${JSON.stringify(child.default)}\`` : '';
    out.push(`| \`${p}\` | ${typeOf(child).replace(/\|(?! )/g, '\\|')} | ${required} | ${def} | ${(child.description ?? '').replace(/\|/g, '\\|')} |`);
    if (child.type === 'object') rows(child, p, out);
    if (child.type === 'array' && child.items && !Array.isArray(child.items) && child.items.type === 'object') rows(child.items, `${p}[]`, out);
  }
}

/** docs/configuration.md, generated from the schema so the reference cannot drift from the code. */
export function renderConfigReference(): string {
  const out: string[] = [
    '# Gateway configuration reference',
    '',
    '<!-- Generated from contracts/src/config/schema.ts by `npm run generate`: do not edit. -->',
    '',
    'One YAML file per gateway. Check a file with `npx vigil config check gateway.yaml`: unknown keys are',
    'errors (with a "did you mean"), and every problem is reported with its line and column.',
    '',
    'Coordinates are normalised to the frame: `[x, y]` with 0..1 from the top-left corner, so zones survive',
    'a change of detect size. Values may use `${ENV_VAR}`, `${ENV_VAR:-default}` or `${file:/path/to/secret}`.',
    'The JSON Schema is `docs/contract/gateway-config-file.schema.json` (editors can use it for completion).',
    '',
    '| key | type | required | default | description |',
    '|---|---|---|---|---|',
  ];
  rows(GatewayConfig as unknown as SchemaNode, '', out);
  out.push(
    '',
    '## Cross-field checks',
    '',
    'After the schema, these named checks run (see contracts/src/config/checks.ts):',
    '',
    ...[verifyCameraIdsAreUnique, ...CAMERA_CHECKS].map((f) => `- \`${f.name}\``),
    '',
  );
  return out.join('\n');
}
