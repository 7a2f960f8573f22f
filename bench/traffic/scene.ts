import { seededRandom } from '@vigil/demo';
import type { Detection } from '../../edge-agent/src/track/index.js';


const CLASSES: [string, number, number, number][] = [
  // COCO label, share, width, height (normalised, 640x480 Hanoi view)
  ['motorcycle', 0.7, 0.045, 0.09],
  ['car', 0.2, 0.12, 0.12],
  ['bus', 0.03, 0.2, 0.22],
  ['truck', 0.02, 0.18, 0.2],
  ['bicycle', 0.03, 0.035, 0.08],
  ['person', 0.02, 0.025, 0.09],
];

interface Mover {
  label: string;
  w: number;
  h: number;
  x: number;
  y: number;
  vx: number;
  vy: number;
}

/**
 * A busy junction in the Hanoi view: `n` road users at all times, driving up through the stop line,
 * down the other side, across the junction, with box jitter, 10 % missed and 10 % low-score
 * detections (occlusion) and a few false positives; a road user that leaves is replaced.
 */
export class SyntheticJunction {
  private readonly rnd: () => number;
  private readonly movers: Mover[] = [];

  constructor(
    n: number,
    seed = 7,
  ) {
    // deterministic, so every bench run sees the same traffic
    this.rnd = seededRandom(seed);
    for (let i = 0; i < n; i++) this.movers.push(this.spawn(true));
  }

  /** Detections of the next frame (200 ms later). */
  step(): Detection[] {
    const out: Detection[] = [];
    for (let i = 0; i < this.movers.length; i++) {
      const m = this.movers[i]!;
      m.x += m.vx;
      m.y += m.vy;
      if (m.x < -0.1 || m.x > 1.1 || m.y < 0.3 || m.y > 1.15) {
        this.movers[i] = this.spawn(false);
        continue;
      }
      const r = this.rnd();
      if (r < 0.1) continue;
      const j = () => (this.rnd() - 0.5) * 0.006;
      const box = { x1: clamp(m.x - m.w / 2 + j()), y1: clamp(m.y - m.h + j()), x2: clamp(m.x + m.w / 2 + j()), y2: clamp(m.y + j()) };
      if (box.x2 - box.x1 < 0.005 || box.y2 - box.y1 < 0.005) continue;
      out.push({ label: m.label, score: r < 0.2 ? 0.2 + this.rnd() * 0.25 : 0.55 + this.rnd() * 0.4, box });
    }
    if (this.rnd() < 0.3) {
      const x = this.rnd() * 0.9;
      const y = 0.35 + this.rnd() * 0.6;
      out.push({ label: 'motorcycle', score: 0.3 + this.rnd() * 0.3, box: { x1: x, y1: y - 0.05, x2: x + 0.03, y2: y } });
    }
    return out;
  }

  private spawn(anywhere: boolean): Mover {
    let pick = this.rnd();
    let cls = CLASSES[0]!;
    for (const c of CLASSES) {
      if (pick < c[1]) {
        cls = c;
        break;
      }
      pick -= c[1];
    }
    const speed = (0.006 + this.rnd() * 0.02) * (cls[0] === 'person' ? 0.3 : 1);
    const kind = this.rnd();
    let m: Mover;
    if (kind < 0.5) m = { label: cls[0], w: cls[2], h: cls[3], x: 0.35 + this.rnd() * 0.45, y: 1.05, vx: (this.rnd() - 0.5) * 0.002, vy: -speed };
    else if (kind < 0.75) m = { label: cls[0], w: cls[2], h: cls[3], x: 0.05 + this.rnd() * 0.2, y: 0.4, vx: -speed * 0.1, vy: speed };
    else m = { label: cls[0], w: cls[2], h: cls[3], x: this.rnd() < 0.5 ? -0.05 : 1.05, y: 0.45 + this.rnd() * 0.18, vx: 0, vy: (this.rnd() - 0.5) * 0.002 };
    if (kind >= 0.75) m.vx = m.x < 0 ? speed : -speed;
    if (anywhere) {
      const k = this.rnd() * 40;
      m.x += m.vx * k;
      m.y += m.vy * k;
    }
    return m;
  }
}

const clamp = (v: number) => Math.min(1, Math.max(0, v));
