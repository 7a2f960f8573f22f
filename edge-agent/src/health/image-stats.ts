import type { GreyImage } from '../motion/grey.js';

export interface ImageStats {
  /** Mean grey level, 0..255. */
  brightness: number;
  /** Standard deviation of grey levels: near 0 for a lens covered by a hand or cloth. */
  contrast: number;
  /** Mean absolute Laplacian over contrast: edge strength independent of how contrasty the scene is. */
  sharpness: number;
}

export function imageStats(image: GreyImage): ImageStats {
  const { width, height, data } = image;
  const n = data.length;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const v = data[i]!;
    sum += v;
    sumSq += v * v;
  }
  const brightness = sum / n;
  const contrast = Math.sqrt(Math.max(0, sumSq / n - brightness * brightness));
  let lap = 0;
  let count = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      lap += Math.abs(4 * data[i]! - data[i - 1]! - data[i + 1]! - data[i - width]! - data[i + width]!);
      count++;
    }
  }
  const sharpness = count && contrast > 0 ? lap / count / contrast : 0;
  return { brightness, contrast, sharpness };
}

/** Largest absolute difference between two same-size images; 0 or 1 means a repeated picture. */
export function maxAbsDifference(a: GreyImage, b: GreyImage): number {
  if (a.data.length !== b.data.length) return 255;
  let max = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i]! - b.data[i]!);
    if (d > max) max = d;
  }
  return max;
}
