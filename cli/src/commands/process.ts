import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import { VigilError, loadConfigFile } from '@vigil/contracts';
import { builtinAnalytics, EvidenceStore, loadEdgeModels, pickCamera, runCameraOffline, type OfflineProgress } from '@vigil/edge-agent';

interface ProcessFlags {
  camera: string;
  cameraId?: string;
  out: string;
  seconds?: string;
  quiet?: boolean;
  evidence?: string;
}

/**
 * `vigil process <input> --camera gateway.yaml --out events.jsonl`: one camera of a gateway config
 * through the edge pipeline, offline. Events go to --out as JSON lines; progress goes to stderr so
 * stdout stays free for piping.
 */
export function registerProcessCommand(program: Command): void {
  program
    .command('process')
    .description('Run one camera through the edge pipeline offline (source -> motion -> health -> analytics); write every event as a JSON line.')
    .argument('<input>', 'video file (processed as fast as possible) or stream URL (rtsp://, http://)')
    .requiredOption('--camera <file>', 'gateway config file (YAML) holding the camera')
    .option('--camera-id <id>', 'camera to use when the file has several (default: the first)')
    .option('--out <file>', 'where to write events, one JSON object per line ("-" for stdout)', 'events.jsonl')
    .option('--seconds <n>', 'stop after this many seconds of video (streams run until Ctrl-C otherwise)')
    .option('--quiet', 'no progress on stderr')
    .option('--evidence <dir>', 'write event snapshots and clips here (named by sha256)')
    .action(async (input: string, flags: ProcessFlags) => {
      try {
        await processCommand(input, flags);
      } catch (err) {
        console.error(err instanceof VigilError ? `${err.code}: ${err.message}` : `vigil process: ${(err as Error).message}`);
        process.exitCode = 1;
      }
    });
}

async function processCommand(input: string, flags: ProcessFlags): Promise<void> {
  const config = loadConfigFile(flags.camera);
  const maxSeconds = flags.seconds === undefined ? undefined : Number(flags.seconds);
  if (maxSeconds !== undefined && !(maxSeconds > 0)) throw new Error(`--seconds must be a positive number, got "${flags.seconds}"`);
  const out = flags.out === '-' ? process.stdout : createWriteStream(flags.out);
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const started = Date.now();
  const report = (p: OfflineProgress, final = false) => {
    if (flags.quiet) return;
    const wall = (Date.now() - started) / 1000;
    const line = `frames ${p.frames}  video ${p.videoSeconds.toFixed(1)} s  ${(p.frames / Math.max(wall, 0.001)).toFixed(1)} fps  motion ${p.motionFrames}  events ${p.events}  dropped ${p.counters.dropped}  decode errors ${p.counters.decodeErrors}`;
    process.stderr.write(process.stderr.isTTY && !final ? `\r${line}` : `${line}\n`);
  };
  // the models this camera's analytics need; an analytic whose model is missing is off, and says so
  const { models, missing } = await loadEdgeModels({ ...config, cameras: [pickCamera(config, flags.cameraId)] });
  for (const line of missing) process.stderr.write(`${line}\n`);
  const evidenceStore = flags.evidence ? await EvidenceStore.open({ dir: flags.evidence, maxBytes: config.storage.evidence_max_mb * 1e6, retentionMs: config.storage.retention_days * 86_400_000 }) : undefined;
  let failure: unknown;
  let summary;
  try {
    summary = await runCameraOffline({
      config,
      cameraId: flags.cameraId,
      input,
      maxSeconds,
      signal: controller.signal,
      emit: (event) => out.write(`${JSON.stringify(event)}\n`),
      analytics: builtinAnalytics({
        offline: true,
        ...(models.fireSmoke ? { fireDetector: models.fireSmoke } : {}),
        ...(models.water ? { waterSegmenter: models.water } : {}),
        ...(models.objects ? { objectDetector: models.objects } : {}),
        ...(evidenceStore ? { evidenceStore } : {}),
      }),
      onProgress: (p) => report(p),
    });
  } catch (err) {
    failure = err;
  } finally {
    await Promise.all([models.fireSmoke?.close(), models.water?.close(), models.objects?.close()]);
    process.off('SIGINT', onSigint);
    if (out !== process.stdout) {
      out.end();
      await once(out, 'finish');
    }
  }
  if (failure) throw failure;
  report(summary!, true);
  if (!flags.quiet) process.stderr.write(`camera ${summary!.camera}: ${summary!.events} event(s) written to ${flags.out}; health at the end: ${summary!.health}\n`);
}
