import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { writeGeneratedFiles } from '@vigil/contracts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function registerContractCommands(program: Command): void {
  const contract = program.command('contract').description('The MQTT contract and config schema.');
  contract
    .command('generate')
    .description('Write the JSON Schemas, the AsyncAPI document and the configuration reference into docs/ (same as npm run generate).')
    .action(() => {
      for (const path of writeGeneratedFiles(repoRoot)) console.log(`wrote ${path}`);
    });
}
