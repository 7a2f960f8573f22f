import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * Every benchmark is bench/<name>/run.ts: it measures ratios within one run (ours vs a raw baseline),
 * writes bench/results/<name>.json and its own marked section of docs/benchmarks.md.
 */
export function listBenchmarks(): string[] {
  const dir = join(repoRoot, 'bench');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'run.ts')))
    .map((d) => d.name)
    .sort();
}

export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('Run every benchmark (bench/<name>/run.ts); each writes bench/results/<name>.json and its section of docs/benchmarks.md.')
    .argument('[names...]', 'only these benchmarks')
    .action((names: string[]) => {
      const all = listBenchmarks();
      const unknown = names.filter((n) => !all.includes(n));
      if (unknown.length) {
        console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${all.join(', ')}`);
        process.exitCode = 2;
        return;
      }
      const chosen = names.length ? names : all;
      let failed = 0;
      for (const [i, name] of chosen.entries()) {
        console.error(`[${i + 1}/${chosen.length}] bench ${name} ...`);
        const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench', name, 'run.ts')], { cwd: repoRoot, stdio: 'inherit' });
        if (r.status !== 0) {
          failed++;
          console.error(`bench ${name} failed (exit ${r.status})`);
        }
      }
      console.error(`${chosen.length - failed}/${chosen.length} benchmarks done; see docs/benchmarks.md`);
      if (failed) process.exitCode = 1;
    });
}
