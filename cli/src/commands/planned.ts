import type { Command } from 'commander';

/**
 * Subcommands whose work lands in later issues. They exist now so the CLI's shape is settled and
 * `--help` tells what each will do; running one says plainly that it is not built yet (exit 2).
 */
const PLANNED: { name: string; args?: string; summary: string; issue: string }[] = [
];

export function registerPlannedCommands(program: Command): void {
  for (const p of PLANNED) {
    const cmd = program
      .command(p.name)
      .description(`${p.summary} [not built yet: ${p.issue}]`)
      .allowUnknownOption(true)
      .allowExcessArguments(true);
    if (p.args) cmd.argument(p.args);
    cmd.action(() => {
      console.error(`vigil ${p.name}: not built yet. It will: ${p.summary} Tracked in ${p.issue}.`);
      process.exitCode = 2;
    });
  }
}
