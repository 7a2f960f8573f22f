import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ServiceProcess } from './process.js';
import { freePort } from './ports.js';
import { servicesRequired } from './require.js';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'rtsp', 'rtsp_server.py');
// Debian's python3-gi lives under /usr/bin/python3, not whatever python3 is first on PATH.
const PYTHON = '/usr/bin/python3';

export function rtspSkip(): false | string {
  try {
    execFileSync(PYTHON, ['-c', 'import gi; gi.require_version("GstRtspServer", "1.0"); from gi.repository import GstRtspServer'], { stdio: 'pipe' });
    return false;
  } catch {
    const hint = 'apt-get install python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-good gstreamer1.0-plugins-bad';
    if (servicesRequired) throw new Error(`VIGIL_REQUIRE_SERVICES=1 but GStreamer's RTSP server is missing: ${hint}`);
    return `GStreamer RTSP server is not installed (${hint}); skipping.`;
  }
}

export interface RtspHandle {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
  kill(): Promise<void>;
  restart(): Promise<void>;
}

export interface RtspOptions {
  clip: string;
  path?: string;
  user?: string;
  password?: string;
  port?: number;
}

/** GStreamer's RTSP server on loopback serving an H.264 MP4 clip (no re-encoding), optionally with basic auth. */
export async function startRtspServer(options: RtspOptions): Promise<RtspHandle> {
  const port = options.port ?? (await freePort());
  const path = options.path ?? '/cam';
  const args = [SCRIPT, '--port', String(port), '--path', path, '--clip', options.clip];
  if (options.user) args.push('--user', options.user, '--password', options.password ?? '');
  let proc: ServiceProcess;
  const start = async () => {
    proc = new ServiceProcess('rtsp-server', PYTHON, args);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`RTSP server did not start: ${proc.log}`)), 15_000);
      proc.onOutput((text) => {
        if (text.includes('READY')) {
          clearTimeout(timer);
          resolve();
        }
      });
      void proc.waitExit().then(() => {
        clearTimeout(timer);
        reject(new Error(`RTSP server exited: ${proc.log}`));
      });
    });
  };
  await start();
  const auth = options.user ? `${options.user}:${options.password ?? ''}@` : '';
  return {
    url: `rtsp://${auth}127.0.0.1:${port}${path}`,
    port,
    get pid() {
      return proc.pid;
    },
    stop: () => proc.stop(),
    kill: () => proc.kill(),
    restart: async () => {
      await proc.stop();
      await start();
    },
  };
}
