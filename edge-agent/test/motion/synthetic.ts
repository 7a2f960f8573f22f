import type { GreyImage } from '../../src/motion/grey.js';

/** Synthetic grey scenes built in code: a textured background with optional bright squares. */
export function scene(width = 160, height = 90, options: { squares?: { x: number; y: number; size: number; level?: number }[]; gain?: number; offset?: number } = {}): GreyImage {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // a fixed pseudo-random texture (road, walls) so differencing has something to ignore
      const texture = 60 + ((x * 7 + y * 13 + ((x * y) % 11)) % 40);
      data[y * width + x] = clamp(texture * (options.gain ?? 1) + (options.offset ?? 0));
    }
  }
  for (const s of options.squares ?? []) {
    for (let y = s.y; y < Math.min(height, s.y + s.size); y++) for (let x = s.x; x < Math.min(width, s.x + s.size); x++) data[y * width + x] = s.level ?? 230;
  }
  return { width, height, data };
}

export function clamp(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v)));
}

export function uniform(level: number, width = 160, height = 90): GreyImage {
  return { width, height, data: new Uint8Array(width * height).fill(level) };
}

/** Black and white squares of `cell` pixels, then optionally box-blurred `blur` times (3x3). */
export function checkerboard(cell: number, blur = 0, width = 160, height = 90): GreyImage {
  let data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = (Math.floor(x / cell) + Math.floor(y / cell)) % 2 ? 200 : 40;
  for (let k = 0; k < blur; k++) {
    const out = new Uint8Array(data.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let sum = 0;
        let n = 0;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue;
          sum += data[yy * width + xx]!;
          n++;
        }
        out[y * width + x] = Math.round(sum / n);
      }
    }
    data = out;
  }
  return { width, height, data };
}
