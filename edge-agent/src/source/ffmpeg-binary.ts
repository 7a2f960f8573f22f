import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { VigilError } from '@vigil/contracts';
import type { FfmpegFlavour } from './ffmpeg-args.js';

export interface FfmpegBinary {
  path: string;
  version: string;
  flavour: FfmpegFlavour;
  origin: 'env' | 'system' | 'npm';
}

let cached: FfmpegBinary | undefined;

/**
 * The ffmpeg to run: VIGIL_FFMPEG if set, else the system's (a distribution build knows more codecs
 * and hardware decoders), else the static build shipped in @ffmpeg-installer/ffmpeg so a fresh machine
 * works without apt.
 */
export function findFfmpeg(): FfmpegBinary {
  if (cached) return cached;
  const candidates: { path: string; origin: FfmpegBinary['origin'] }[] = [];
  if (process.env.VIGIL_FFMPEG) candidates.push({ path: process.env.VIGIL_FFMPEG, origin: 'env' });
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir) candidates.push({ path: join(dir, 'ffmpeg'), origin: 'system' });
  const npm = npmFfmpegPath();
  if (npm) candidates.push({ path: npm, origin: 'npm' });
  for (const c of candidates) {
    if (!isExecutable(c.path)) continue;
    cached = describeFfmpeg(c.path, c.origin);
    return cached;
  }
  throw new VigilError('VIGIL_ERR_SOURCE_FFMPEG', 'ffmpeg was not found: install it (apt-get install ffmpeg) or run npm install so @ffmpeg-installer/ffmpeg provides one, or set VIGIL_FFMPEG to its path.');
}

export function describeFfmpeg(path: string, origin: FfmpegBinary['origin'] = 'env'): FfmpegBinary {
  const banner = execFileSync(path, ['-hide_banner', '-version'], { encoding: 'utf8' }).split('\n')[0] ?? '';
  const version = /ffmpeg version (\S+)/.exec(banner)?.[1] ?? 'unknown';
  return { path, version, flavour: flavourOf(version, banner), origin };
}

/**
 * "5.1.9-0+deb12u1" is modern. Git snapshots ("N-47683-g0e8eb07980-static", the npm build) carry no
 * release number, so they are judged by date: in the version, or the banner's "Copyright (c) 2000-2018".
 */
export function flavourOf(version: string, banner = ''): FfmpegFlavour {
  const release = /^n?(\d+)\.(\d+)/.exec(version);
  if (release) {
    const [major, minor] = [Number(release[1]), Number(release[2])];
    return { modern: major > 5 || (major === 5 && minor >= 1) };
  }
  const date = /^(\d{4})(\d{2})\d{2}/.exec(version);
  if (date) return { modern: Number(date[1]) * 100 + Number(date[2]) >= 202207 };
  const copyright = /Copyright \(c\) \d{4}-(\d{4})/.exec(banner);
  if (copyright) return { modern: Number(copyright[1]) >= 2022 };
  return { modern: true };
}

function npmFfmpegPath(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  } catch {
    // The npm package is optional when the system has ffmpeg; findFfmpeg() names both fixes.
    return undefined;
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
