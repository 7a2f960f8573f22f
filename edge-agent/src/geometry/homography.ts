import type { Point } from './plane.js';

/**
 * A plane-to-plane projective map from four point pairs (direct linear transform with h33 = 1):
 * image points of a ground rectangle to metres on the ground, for speed.
 */
export class Homography {
  private constructor(private readonly h: Float64Array) {}

  /** Solves the 8x8 system; throws when three of the points are collinear (no unique map). */
  static fromPoints(from: readonly Point[], to: readonly Point[]): Homography {
    if (from.length !== 4 || to.length !== 4) throw new RangeError(`a homography needs exactly 4 point pairs, got ${from.length} and ${to.length}`);
    const a: number[][] = [];
    for (let i = 0; i < 4; i++) {
      const [x, y] = from[i]!;
      const [u, v] = to[i]!;
      a.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
      a.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
    }
    const sol = solveAugmented(a);
    if (!sol) throw new RangeError('the 4 calibration points are degenerate (three on one line?): pick the corners of a ground rectangle');
    return new Homography(Float64Array.from([...sol, 1]));
  }

  apply([x, y]: Point): Point {
    const h = this.h;
    const w = h[6]! * x + h[7]! * y + h[8]!;
    return [(h[0]! * x + h[1]! * y + h[2]!) / w, (h[3]! * x + h[4]! * y + h[5]!) / w];
  }
}

/** Gauss-Jordan with partial pivoting on an n x (n+1) augmented matrix; null when singular. */
function solveAugmented(m: number[][]): number[] | null {
  const n = m.length;
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r;
    if (Math.abs(m[pivot]![c]!) < 1e-12) return null;
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    const row = m[c]!;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const target = m[r]!;
      const f = target[c]! / row[c]!;
      if (f === 0) continue;
      for (let k = c; k <= n; k++) target[k] = target[k]! - f * row[k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}
