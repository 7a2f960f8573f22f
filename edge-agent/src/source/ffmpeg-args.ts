import type { CameraConfig } from '@vigil/contracts';

/**
 * ffmpeg's command line, built from typed options. We spawn ffmpeg ourselves rather than through
 * fluent-ffmpeg (archived): the argument list is short, and owning it lets us pick flags per ffmpeg
 * build (the npm fallback binary is a 2018 build that lacks -fps_mode and spells the RTSP socket
 * timeout -stimeout).
 */
export type InputKind = 'rtsp' | 'http' | 'file' | 'stream';
export type PixelFormat = 'rgb24' | 'gray';

export interface FfmpegInput {
  url: string;
  transport?: 'tcp' | 'udp';
  timeoutS?: number;
  /** Files only: start again at the end. */
  loop?: boolean;
  /** Files only: read at the native frame rate (true) or as fast as possible (false). */
  realtime?: boolean;
  /** Extra input flags for hardware decoding, passed through before -i. */
  hwaccel?: string[];
}

export interface FfmpegOutput {
  width: number;
  height: number;
  fps: number;
  pixelFormat: PixelFormat;
  /** Decoder threads; 1 keeps many cameras on few cores from fighting over them. Default: ffmpeg's choice. */
  threads?: number;
}

/** What the running ffmpeg accepts; see detectFfmpegFlavour(). */
export interface FfmpegFlavour {
  /** ffmpeg >= 5.1: -fps_mode and RTSP -timeout; older builds: -vsync and RTSP -stimeout. */
  modern: boolean;
}

export function inputKind(url: string): InputKind {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (!scheme || scheme === 'file') return 'file';
  if (scheme === 'rtsp' || scheme === 'rtsps') return 'rtsp';
  if (scheme === 'http' || scheme === 'https') return 'http';
  return 'stream';
}

export function bytesPerFrame(out: Pick<FfmpegOutput, 'width' | 'height' | 'pixelFormat'>): number {
  return out.width * out.height * (out.pixelFormat === 'rgb24' ? 3 : 1);
}

export function buildFfmpegArgs(input: FfmpegInput, output: FfmpegOutput, flavour: FfmpegFlavour): string[] {
  const kind = inputKind(input.url);
  const timeoutUs = String(Math.round((input.timeoutS ?? 10) * 1_000_000));
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error'];
  if (output.threads !== undefined) args.push('-threads', String(output.threads));
  switch (kind) {
    case 'rtsp':
      args.push('-rtsp_transport', input.transport ?? 'tcp');
      // Both spell the socket I/O timeout in microseconds; before ffmpeg 5, RTSP's -timeout meant "listen".
      args.push(flavour.modern ? '-timeout' : '-stimeout', timeoutUs);
      break;
    case 'http':
    case 'stream':
      args.push('-rw_timeout', timeoutUs);
      break;
    case 'file':
      if (input.realtime ?? true) args.push('-re');
      if (input.loop) args.push('-stream_loop', '-1');
      break;
  }
  args.push(...(input.hwaccel ?? []));
  args.push('-i', kind === 'file' ? input.url.replace(/^file:\/\//i, '') : input.url);
  // fps before scale: frames dropped by the rate filter are never scaled.
  args.push('-an', '-sn', '-dn', '-vf', `fps=${output.fps},scale=${output.width}:${output.height}`);
  // The fps filter already makes the rate constant; passthrough stops the muxer duplicating frames.
  args.push(...(flavour.modern ? ['-fps_mode', 'passthrough'] : ['-vsync', '0']));
  args.push('-f', 'rawvideo', '-pix_fmt', output.pixelFormat, 'pipe:1');
  return args;
}

/** The ffmpeg input and output for one camera from its config. */
export function cameraFfmpegOptions(camera: CameraConfig, pixelFormat: PixelFormat = 'rgb24'): { input: FfmpegInput; output: FfmpegOutput } {
  return {
    input: {
      url: camera.source.url,
      transport: camera.source.transport === 'udp' ? 'udp' : 'tcp',
      timeoutS: camera.source.timeout_s,
      loop: camera.source.loop,
      realtime: camera.source.realtime,
      hwaccel: camera.source.hwaccel,
    },
    output: { width: camera.detect.width, height: camera.detect.height, fps: camera.detect.fps, pixelFormat },
  };
}
