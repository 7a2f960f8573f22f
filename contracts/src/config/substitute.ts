import { readFileSync } from 'node:fs';
import { parse as parseYaml, visit, type Document, type Scalar } from 'yaml';

export interface SubstitutionProblem {
  node: Scalar;
  message: string;
}

// ${NAME}, ${NAME:-default} and ${file:/path/to/secret}
const REFERENCE = /\$\{(file:([^}]+)|([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?)\}/g;

/**
 * Replaces ${ENV} references in string scalars, in place. A scalar that is exactly one plain (unquoted)
 * reference takes the YAML type of what it expands to, so `port: ${MQTT_PORT}` is a number. Secrets may
 * come from files (`${file:/run/secrets/mqtt_password}`), trimmed of a final newline.
 */
export function substituteEnv(doc: Document, env: NodeJS.ProcessEnv): SubstitutionProblem[] {
  const problems: SubstitutionProblem[] = [];
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string' || !node.value.includes('${')) return;
      const raw = node.value;
      const expanded = raw.replace(REFERENCE, (whole, _inner, filePath: string | undefined, name: string | undefined, fallback: string | undefined) => {
        if (filePath !== undefined) {
          try {
            return readFileSync(filePath.trim(), 'utf8').replace(/\r?\n$/, '');
          } catch (err) {
            problems.push({ node, message: `secret file ${filePath} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): create it or fix the path` });
            return whole;
          }
        }
        const value = env[name!];
        if (value !== undefined) return value;
        if (fallback !== undefined) return fallback;
        problems.push({ node, message: `environment variable ${name} is not set: export ${name}=... or write \${${name}:-default}` });
        return whole;
      });
      const wholeReference = /^\$\{[^}]+\}$/.test(raw) && node.type === 'PLAIN';
      node.value = wholeReference ? typedScalar(expanded) : expanded;
    },
  });
  return problems;
}

function typedScalar(text: string): unknown {
  try {
    const v: unknown = parseYaml(text);
    return v === null || typeof v === 'object' ? text : v;
  } catch {
    return text;
  }
}

