/**
 * A rendered scene: the demo's own footage (the repository ships no third-party media). Each scene
 * draws an SVG for time t and knows its ground truth, so the demo can say what a model should see
 * and tests can check analytics against it.
 */
export interface Scene<Truth> {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  /** SVG markup of the frame at t seconds from the start of the clip. */
  svg(t: number): string;
  /** What is really in the frame at t (depth, fire present, signal phase ...). */
  truth(t: number): Truth;
}

/** Small deterministic PRNG (mulberry32) so a scene renders the same frames on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const svgOpen = (w: number, h: number) => `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">`;
