import type { Command } from 'commander';
import { checkConfigFile, formatProblem } from '@vigil/contracts';

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('Gateway config files.');
  config
    .command('check')
    .description('Validate gateway config files: schema, ${ENV} substitution and cross-field checks. Exits 1 and names every problem with file:line:column.')
    .argument('<files...>', 'YAML config files')
    .option('--quiet', 'print problems only')
    .action((files: string[], opts: { quiet?: boolean }) => {
      let bad = 0;
      for (const file of files) {
        const r = checkConfigFile(file);
        if (r.ok) {
          if (!opts.quiet) console.log(`${file}: ok (${r.config.cameras.length} camera(s), site ${r.config.site}, gateway ${r.config.gateway})`);
          continue;
        }
        bad++;
        for (const p of r.problems) console.error(formatProblem(p));
        console.error(`${file}: ${r.problems.length} problem(s)`);
      }
      if (bad) process.exitCode = 1;
    });
}
