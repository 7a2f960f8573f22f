import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const HEADER = '# Benchmarks\n\nWritten by `vigil bench`; each section by its own bench/<name>/run.ts.\n';

/**
 * Replaces this benchmark's marked section of docs/benchmarks.md (`<!-- bench:NAME -->` ...
 * `<!-- /bench:NAME -->`), appending it the first time, so every benchmark owns one section and
 * running one never touches the others.
 */
export function writeBenchSection(name: string, body: string): void {
  const path = join(repoRoot, 'docs', 'benchmarks.md');
  const begin = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const section = `${begin}\n${body}\n${end}`;
  const current = existsSync(path) ? readFileSync(path, 'utf8') : HEADER;
  const a = current.indexOf(begin);
  const b = current.indexOf(end);
  const next = a >= 0 && b > a ? current.slice(0, a) + section + current.slice(b + end.length) : `${current.trimEnd()}\n\n${section}\n`;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, next);
}
