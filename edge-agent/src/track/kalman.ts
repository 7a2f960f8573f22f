/**
 * ByteTrack's constant-velocity Kalman filter on a box as (cx, cy, a, h): centre, aspect ratio w/h
 * and height, each with a velocity. Process and measurement noise are diagonal and the transition
 * only couples a coordinate with its own velocity, so the 8x8 covariance stays four independent
 * 2x2 blocks; we keep those blocks instead of 8x8 matrices (same numbers, ~20x fewer operations).
 */
export type BoxMeasurement = [cx: number, cy: number, a: number, h: number];

// Noise scales from ByteTrack (kalman_filter.py): relative to the box height.
const STD_POSITION = 1 / 20;
const STD_VELOCITY = 1 / 160;
const ASPECT_POS_STD = 1e-2;
const ASPECT_VEL_STD = 1e-5;
const ASPECT_MEAS_STD = 1e-1;

export class BoxKalman {
  /** Position of each coordinate. */
  readonly x: Float64Array = new Float64Array(4);
  /** Velocity of each coordinate, per step. */
  readonly v: Float64Array = new Float64Array(4);
  /** Per coordinate block [p_xx, p_xv, p_vv]. */
  private readonly p: Float64Array = new Float64Array(12);

  constructor(z: BoxMeasurement) {
    const h = z[3];
    const pos = [2 * STD_POSITION * h, 2 * STD_POSITION * h, ASPECT_POS_STD, 2 * STD_POSITION * h];
    const vel = [10 * STD_VELOCITY * h, 10 * STD_VELOCITY * h, ASPECT_VEL_STD, 10 * STD_VELOCITY * h];
    for (let i = 0; i < 4; i++) {
      this.x[i] = z[i]!;
      this.p[3 * i] = pos[i]! ** 2;
      this.p[3 * i + 2] = vel[i]! ** 2;
    }
  }

  predict(): void {
    const h = this.x[3]!;
    const q = [STD_POSITION * h, STD_POSITION * h, ASPECT_POS_STD, STD_POSITION * h];
    const qv = [STD_VELOCITY * h, STD_VELOCITY * h, ASPECT_VEL_STD, STD_VELOCITY * h];
    for (let i = 0; i < 4; i++) {
      this.x[i] = this.x[i]! + this.v[i]!;
      const o = 3 * i;
      const pxx = this.p[o]!;
      const pxv = this.p[o + 1]!;
      const pvv = this.p[o + 2]!;
      // F P F^T + Q with F = [[1, 1], [0, 1]].
      this.p[o] = pxx + 2 * pxv + pvv + q[i]! ** 2;
      this.p[o + 1] = pxv + pvv;
      this.p[o + 2] = pvv + qv[i]! ** 2;
    }
  }

  update(z: BoxMeasurement): void {
    const h = this.x[3]!;
    const r = [STD_POSITION * h, STD_POSITION * h, ASPECT_MEAS_STD, STD_POSITION * h];
    for (let i = 0; i < 4; i++) {
      const o = 3 * i;
      const pxx = this.p[o]!;
      const pxv = this.p[o + 1]!;
      const pvv = this.p[o + 2]!;
      const s = pxx + r[i]! ** 2;
      const kx = pxx / s;
      const kv = pxv / s;
      const innovation = z[i]! - this.x[i]!;
      this.x[i] = this.x[i]! + kx * innovation;
      this.v[i] = this.v[i]! + kv * innovation;
      this.p[o] = (1 - kx) * pxx;
      this.p[o + 1] = (1 - kx) * pxv;
      this.p[o + 2] = pvv - kv * pxv;
    }
  }
}

export function toMeasurement(box: { x1: number; y1: number; x2: number; y2: number }): BoxMeasurement {
  const w = box.x2 - box.x1;
  const h = Math.max(1e-6, box.y2 - box.y1);
  return [(box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2, w / h, h];
}

export function fromState(x: ArrayLike<number>): { x1: number; y1: number; x2: number; y2: number } {
  const [cx, cy, a, h] = [x[0]!, x[1]!, x[2]!, x[3]!];
  const w = a * h;
  return { x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 };
}
