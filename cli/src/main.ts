import { Command } from 'commander';
import { registerBenchCommand } from './commands/bench.js';
import { registerConfigCommands } from './commands/config.js';
import { registerContractCommands } from './commands/contract.js';
import { registerPlannedCommands } from './commands/planned.js';
import { registerIngestCommand } from './commands/ingest.js';
import { registerReplayCommand } from './commands/replay.js';
import { registerProcessCommand } from './commands/process.js';
import { registerAnalyzeCommand } from './commands/analyze.js';
import { registerModelsCommand } from './commands/models.js';

const program = new Command('vigil')
  .description('Vigil: AI-camera edge analytics for city operations centres (floods, fires, straw burning, traffic).')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)');

registerConfigCommands(program);
registerBenchCommand(program);
registerContractCommands(program);
registerAnalyzeCommand(program);
registerModelsCommand(program);
registerProcessCommand(program);
registerReplayCommand(program);
registerIngestCommand(program);
registerPlannedCommands(program);

await program.parseAsync(process.argv);
