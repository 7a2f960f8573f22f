import sharp from 'sharp';
import { VigilError } from '@vigil/contracts';
import type { InputSpec } from '../manifest.js';

/** A decoded frame as the edge agent holds it: interleaved 8-bit grey, RGB or RGBA pixels. */
export interface RawFrame {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

/** What a model can be run on: a path to an image file, an encoded image in memory, or a raw frame. */
export type FrameInput = string | Buffer | RawFrame;

/** How a source image was placed into the model input, to map outputs back to the source. */
export interface Placement {
  sourceWidth: number;
  sourceHeight: number;
  /** Input pixels per source pixel, per axis. */
  scaleX: number;
  scaleY: number;
  /** Where the scaled image starts inside the input (letterbox padding before it). */
  offsetX: number;
  offsetY: number;
}

export function isRawFrame(f: FrameInput): f is RawFrame {
  return typeof f === 'object' && !Buffer.isBuffer(f) && 'data' in f;
}

/**
 * Writes images into one reused Float32Array shaped as the model input (batch-major), applying the
 * manifest's resize rule, channel order and normalisation. The buffer grows to the largest batch
 * seen and is then reused, so steady-state inference allocates no input tensors.
 */
export class InputWriter {
  private buffer = new Float32Array(0);
  /** Batch slot -> placement whose pad border the buffer currently holds. */
  private readonly padded = new Map<number, string>();
  private readonly planeSize: number;
  /** Normalised value of the pad colour per model channel. */
  private readonly padValues: number[];
  private readonly scale: number[];
  private readonly shift: number[];
  /** Byte value -> normalised value, per model channel. */
  private readonly lookup: [Float32Array, Float32Array, Float32Array];
  /** mean 0 and std 1: pixels go in as 0-255 floats. */
  private readonly identity: boolean;

  constructor(private readonly spec: InputSpec) {
    this.planeSize = spec.width * spec.height;
    // (v - mean) / std as v * scale + shift, per model channel.
    this.scale = spec.std.map((s) => 1 / s);
    this.shift = spec.mean.map((m, i) => -m / spec.std[i]!);
    const pad = spec.pad ?? 0;
    this.padValues = [0, 1, 2].map((c) => pad * this.scale[c]! + this.shift[c]!);
    this.lookup = [0, 1, 2].map((c) => Float32Array.from({ length: 256 }, (_, v) => v * this.scale[c]! + this.shift[c]!)) as [Float32Array, Float32Array, Float32Array];
    this.identity = spec.mean.every((m) => m === 0) && spec.std.every((v) => v === 1);
  }

  /** The input tensor data for `count` frames (a view on the reused buffer). */
  view(count: number): Float32Array {
    const needed = count * 3 * this.planeSize;
    if (this.buffer.length < needed) {
      this.buffer = new Float32Array(needed);
      this.padded.clear();
    }
    return this.buffer.subarray(0, needed);
  }

  /** Resizes one frame with sharp and writes it at batch position `index` of view(count). */
  async write(frame: FrameInput, index: number, count: number): Promise<Placement> {
    const { width: W, height: H } = this.spec;
    const image = await openImage(frame);
    const { width: sw, height: sh } = image.size;
    let nw = W;
    let nh = H;
    let ox = 0;
    let oy = 0;
    if (this.spec.resize === 'letterbox') {
      const r = Math.min(W / sw, H / sh);
      nw = Math.max(1, Math.min(W, Math.round(sw * r)));
      nh = Math.max(1, Math.min(H, Math.round(sh * r)));
      if ((this.spec.letterboxAlign ?? 'center') === 'center') {
        ox = Math.floor((W - nw) / 2);
        oy = Math.floor((H - nh) / 2);
      }
    }
    const pixels = await image.pipeline.resize(nw, nh, { fit: 'fill', kernel: 'linear' }).removeAlpha().raw().toBuffer();
    const out = this.view(count);
    const base = index * 3 * this.planeSize;
    const bgr = this.spec.colour === 'BGR';
    const nchw = this.spec.layout === 'NCHW';
    // The pad border of a batch slot only changes with the placement: the buffer is reused, so a
    // camera sending same-sized frames pays for the fill once.
    const geometry = `${nw}x${nh}+${ox}+${oy}`;
    if (nw === W && nh === H) this.padded.delete(index);
    else if (this.padded.get(index) !== geometry) {
      this.padded.set(index, geometry);
      for (let c = 0; c < 3; c++) {
        const v = this.padValues[c]!;
        if (nchw) out.fill(v, base + c * this.planeSize, base + (c + 1) * this.planeSize);
        else for (let p = 0; p < this.planeSize; p++) out[base + p * 3 + c] = v;
      }
    }
    const rowValues = nw * 3;
    if (!nchw && !bgr && this.identity) {
      // Interleaved RGB into an NHWC 0-255 input: a native uint8 -> float32 copy per row.
      for (let y = 0; y < nh; y++) out.set(pixels.subarray(y * rowValues, (y + 1) * rowValues), base + ((y + oy) * W + ox) * 3);
    } else {
      const [l0, l1, l2] = this.lookup;
      for (let y = 0; y < nh; y++) {
        let src = y * rowValues;
        let p = (y + oy) * W + ox;
        for (let x = 0; x < nw; x++, src += 3, p++) {
          // Model channel c takes source channel c (RGB) or 2 - c (BGR).
          const a = l0[pixels[bgr ? src + 2 : src]!]!;
          const b = l1[pixels[src + 1]!]!;
          const d = l2[pixels[bgr ? src : src + 2]!]!;
          if (nchw) {
            out[base + p] = a;
            out[base + this.planeSize + p] = b;
            out[base + 2 * this.planeSize + p] = d;
          } else {
            const q = base + p * 3;
            out[q] = a;
            out[q + 1] = b;
            out[q + 2] = d;
          }
        }
      }
    }
    return { sourceWidth: sw, sourceHeight: sh, scaleX: nw / sw, scaleY: nh / sh, offsetX: ox, offsetY: oy };
  }
}

async function openImage(frame: FrameInput): Promise<{ pipeline: sharp.Sharp; size: { width: number; height: number } }> {
  if (isRawFrame(frame)) {
    if (frame.data.length !== frame.width * frame.height * frame.channels) {
      throw new VigilError('VIGIL_ERR_MODEL_INPUT', `Raw frame of ${frame.width}x${frame.height}x${frame.channels} should hold ${frame.width * frame.height * frame.channels} bytes but holds ${frame.data.length}.`);
    }
    const pipeline = sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: frame.channels } });
    // Grey frames (motion-only cameras) are repeated into three channels for RGB models.
    return { pipeline: frame.channels === 1 ? pipeline.toColourspace('srgb') : pipeline, size: { width: frame.width, height: frame.height } };
  }
  const name = typeof frame === 'string' ? frame : 'image buffer';
  try {
    // Photos carry their rotation in EXIF: boxes must be relative to the picture as people see it.
    const pipeline = sharp(frame, { failOn: 'error', autoOrient: true });
    const meta = await pipeline.metadata();
    const size = meta.autoOrient ?? { width: meta.width, height: meta.height };
    if (!size.width || !size.height) throw new Error('no image size in header');
    return { pipeline, size: { width: size.width, height: size.height } };
  } catch (err) {
    throw new VigilError('VIGIL_ERR_MODEL_INPUT', `Cannot read image ${name}: ${(err as Error).message}. Give a JPEG, PNG or WebP file.`, { cause: err });
  }
}

/** Maps a box from model-input pixels to normalised [0,1] source coordinates, clamped to the image. */
export function toSourceBox(box: [number, number, number, number], p: Placement): [number, number, number, number] {
  const clamp = (v: number): number => Math.min(1, Math.max(0, v));
  return [
    clamp((box[0] - p.offsetX) / p.scaleX / p.sourceWidth),
    clamp((box[1] - p.offsetY) / p.scaleY / p.sourceHeight),
    clamp((box[2] - p.offsetX) / p.scaleX / p.sourceWidth),
    clamp((box[3] - p.offsetY) / p.scaleY / p.sourceHeight),
  ];
}
