import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { generatedFiles } from '@vigil/contracts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function registerContractCommands(program: Command): void {
  const contract = program.command('contract').description('The MQTT contract and config schema.');
  contract
    .command('generate')
    .description('Write the JSON Schemas, the AsyncAPI document and the configuration reference into docs/.')
    .action(() => {
      for (const [path, content] of Object.entries(generatedFiles())) {
        const full = join(repoRoot, path);
        mkdirSync(dirname(full), { recursive: true });
        writeFileSync(full, content);
        console.log(`wrote ${path}`);
      }
    });
}
