import { rmSync } from 'node:fs';
import type { Command } from 'commander';

interface DemoFlags {
  port: string;
  host: string;
  data: string;
  source: string[];
  brokerPort: string;
  fresh?: boolean;
  exitAfter?: string;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'Run the whole system on embedded defaults: in-process MQTT broker (aedes), ingest on PGlite, the alerts API and dashboard, and an edge gateway watching scenes the demo renders (flood gauge, field fire, junction). Ctrl-C stops everything.',
    )
    .option('--port <port>', 'dashboard / API port', '8080')
    .option('--host <host>', 'listen address', '127.0.0.1')
    .option('--data <dir>', 'where the demo keeps clips, databases, outbox and evidence', '.vigil/demo')
    .option('--source <url>', 'add a camera: a video file or an RTSP URL (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--broker-port <port>', 'port of the in-process MQTT broker (0 = any free port)', '0')
    .option('--fresh', 'start from empty databases (keeps rendered clips)')
    .option('--exit-after <seconds>', 'stop by itself after this long (for tests and recordings)')
    .action(async (flags: DemoFlags) => {
      if (flags.fresh) for (const d of ['pglite', 'gateway', 'evidence', 'timeseries.sqlite']) rmSync(`${flags.data}/${d}`, { recursive: true, force: true });
      // loaded here, not at the top, so `vigil --help` stays fast and other commands work without them
      const { runDemo } = await import('../demo/run-demo.js');
      const demo = await runDemo({ dataDir: flags.data, apiPort: Number(flags.port), apiHost: flags.host, brokerPort: Number(flags.brokerPort), sources: flags.source });
      let stopping = false;
      const stop = async (why: string) => {
        if (stopping) return;
        stopping = true;
        console.log(`\nstopping the demo (${why}) ...`);
        const force = setTimeout(() => process.exit(1), 20_000);
        force.unref();
        await demo.close();
        console.log(`stopped; ${demo.events.length} event(s) were raised. Data is kept in ${flags.data} (use --fresh to start over).`);
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('Ctrl-C'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
      if (flags.exitAfter) setTimeout(() => void stop(`--exit-after ${flags.exitAfter}`), Number(flags.exitAfter) * 1000);
    });
}
