import type { Command } from 'commander';
import { createReadStream, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { loadConfigFile, VigilError } from '@vigil/contracts';
import { replayTracks } from '@vigil/edge-agent';

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('Run the traffic rules on recorded or hand-written tracks (JSON lines, docs/replay-format.md); write events as JSON lines.')
    .requiredOption('--tracks <file>', 'tracks file: one JSON line per track point ({"t", "track", "class", "box"}) or signal change ({"t", "signal"})')
    .requiredOption('--camera <file>', 'gateway config file (YAML) holding the camera and its zones, lines and analytics.traffic')
    .option('--camera-id <id>', 'camera to use when the config has more than one traffic camera')
    .option('--out <file>', 'events output (JSON lines); default stdout')
    .option('--start <iso>', 'time that numeric "t" values count from', '1970-01-01T00:00:00.000Z')
    .action(async (opts: { tracks: string; camera: string; cameraId?: string; out?: string; start: string }) => {
      try {
        const config = loadConfigFile(opts.camera);
        const traffic = config.cameras.filter((c) => c.analytics.traffic && (!opts.cameraId || c.id === opts.cameraId));
        if (traffic.length !== 1) {
          const ids = config.cameras.filter((c) => c.analytics.traffic).map((c) => c.id);
          throw new VigilError(
            'VIGIL_ERR_CONFIG_INVALID',
            ids.length === 0
              ? `${opts.camera}: no camera has analytics.traffic; add a traffic section (docs/configuration.md)`
              : `${opts.camera}: ${opts.cameraId ? `no traffic camera "${opts.cameraId}"` : 'several traffic cameras'}; pick one with --camera-id (${ids.join(', ')})`,
          );
        }
        const startMs = Date.parse(opts.start);
        if (Number.isNaN(startMs)) throw new VigilError('VIGIL_ERR_REPLAY_INPUT', `--start ${opts.start} is not an ISO 8601 time; write e.g. 2026-11-22T08:00:00Z`);
        const lines = createInterface({ input: createReadStream(opts.tracks), crlfDelay: Infinity });
        const result = await replayTracks(lines, traffic[0]!, { site: config.site, gateway: config.gateway, startMs });
        const text = result.events.map((e) => JSON.stringify(e)).join('\n') + (result.events.length ? '\n' : '');
        if (opts.out) writeFileSync(opts.out, text);
        else process.stdout.write(text);
        for (const p of result.problems) console.error(`${opts.tracks}: ${p.message}`);
        const byType = new Map<string, number>();
        for (const e of result.events) byType.set(`${e.type}/${e.phase}`, (byType.get(`${e.type}/${e.phase}`) ?? 0) + 1);
        const summary = [...byType].map(([k, n]) => `${k} ${n}`).join(', ') || 'no events';
        const counts = result.counts.map((c) => `${c.line}/${c.class} ${c.count}`).join(', ') || 'none';
        console.error(`replayed ${result.frames} frame(s): ${summary}; counts: ${counts}${opts.out ? `; wrote ${opts.out}` : ''}`);
        if (result.problems.length) process.exitCode = 1;
      } catch (e) {
        if (!(e instanceof VigilError)) throw e;
        console.error(`vigil replay: ${e.message} [${e.code}]`);
        process.exitCode = 1;
      }
    });
}
