import { Command } from 'commander';
import { registerBenchCommand } from './commands/bench.js';
import { registerConfigCommands } from './commands/config.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerEdgeCommand } from './commands/edge.js';
import { registerContractCommands } from './commands/contract.js';
import { registerIngestCommand } from './commands/ingest.js';
import { registerApiCommand } from './commands/api.js';
import { registerAnalyzeCommand } from './commands/analyze.js';
import { registerModelsCommand } from './commands/models.js';
import { registerReplayCommand } from './commands/replay.js';
import { registerProcessCommand } from './commands/process.js';

const program = new Command('vigil')
  .description('Vigil: AI-camera edge analytics for city operations centres (floods, fires, straw burning, traffic).')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)');

registerConfigCommands(program);
registerDemoCommand(program);
registerEdgeCommand(program);
registerBenchCommand(program);
registerContractCommands(program);
registerProcessCommand(program);
registerReplayCommand(program);
registerAnalyzeCommand(program);
registerModelsCommand(program);
registerIngestCommand(program);
registerApiCommand(program);

await program.parseAsync(process.argv);
