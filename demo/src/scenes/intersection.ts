import { svgOpen, type Scene } from './scene.js';

export type Phase = 'red' | 'amber' | 'green';

export interface IntersectionTruth {
  phase: Phase;
  secondsIntoPhase: number;
  vehicles: { id: number; kind: 'car' | 'motorbike'; box: [number, number, number, number] }[];
}

/** Signal cycle (seconds): red, then green, then amber. */
export const SIGNAL_CYCLE: [Phase, number][] = [
  ['red', 20],
  ['green', 15],
  ['amber', 3],
];
const CYCLE = SIGNAL_CYCLE.reduce((s, [, d]) => s + d, 0);

export function phaseAt(t: number): { phase: Phase; into: number } {
  let u = ((t % CYCLE) + CYCLE) % CYCLE;
  for (const [phase, d] of SIGNAL_CYCLE) {
    if (u < d) return { phase, into: u };
    u -= d;
  }
  return { phase: 'red', into: 0 };
}

/** Normalised geometry, shared with the demo's camera config. */
export const STOP_LINE_Y = 0.6;
export const SIGNAL_ROI: [number, number][] = [
  [0.86, 0.08],
  [0.92, 0.08],
  [0.92, 0.36],
  [0.86, 0.36],
];

/**
 * A junction seen from above the approach: vehicles drive up the road, stop at the stop line on red
 * and go on green; one motorbike in every cycle runs the red light (the violation the demo shows).
 */
export function intersectionScene(options: { width?: number; height?: number } = {}): Scene<IntersectionTruth> {
  const { width = 640, height = 360 } = options;
  const vehiclesAt = (t: number): IntersectionTruth['vehicles'] => {
    const out: IntersectionTruth['vehicles'] = [];
    const cycleStart = Math.floor(t / CYCLE) * CYCLE;
    for (let k = 0; k < 6; k++) {
      const id = Math.floor(t / CYCLE) * 10 + k;
      const kind = k % 2 === 0 ? 'motorbike' : 'car';
      const lane = 0.3 + 0.07 * (k % 3);
      const spawn = cycleStart + k * 2.5;
      const age = t - spawn;
      if (age < 0) continue;
      const speed = 0.06; // of frame height per second
      let y = 1.05 - age * speed;
      const violator = k === 4;
      const { phase } = phaseAt(t);
      const queueY = STOP_LINE_Y + 0.05 + (k % 3) * 0.09;
      if (!violator && phase !== 'green' && y < queueY && t - cycleStart < 20) y = queueY;
      if (y < -0.1) continue;
      const w = kind === 'car' ? 0.07 : 0.035;
      const h = kind === 'car' ? 0.12 : 0.08;
      out.push({ id, kind, box: [lane - w / 2, y - h / 2, lane + w / 2, y + h / 2] });
    }
    return out;
  };
  return {
    name: 'intersection',
    width,
    height,
    truth(t) {
      const { phase, into } = phaseAt(t);
      return { phase, secondsIntoPhase: into, vehicles: vehiclesAt(t) };
    },
    svg(t) {
      const W = width;
      const H = height;
      const { phase } = phaseAt(t);
      const p: string[] = [svgOpen(W, H)];
      p.push(
        `<rect width="${W}" height="${H}" fill="#6f7f5a"/>`,
        `<rect x="${0.2 * W}" y="0" width="${0.35 * W}" height="${H}" fill="#4a4a4d"/>`,
        `<rect x="0" y="${0.25 * H}" width="${W}" height="${0.22 * H}" fill="#4a4a4d"/>`,
        `<rect x="${0.2 * W}" y="${STOP_LINE_Y * H - 2}" width="${0.35 * W}" height="4" fill="#f2f2f2"/>`,
      );
      for (let i = 0; i < 6; i++) p.push(`<rect x="${0.22 * W + i * 0.055 * W}" y="${0.49 * H}" width="${0.03 * W}" height="${0.08 * H}" fill="#e8e8e8"/>`);
      const [x0, y0] = SIGNAL_ROI[0]!;
      const [x1, y1] = SIGNAL_ROI[2]!;
      p.push(`<rect x="${x0 * W}" y="${y0 * H}" width="${(x1 - x0) * W}" height="${(y1 - y0) * H}" rx="4" fill="#151515"/>`);
      const lamp = (i: number, on: boolean, colour: string) =>
        `<circle cx="${((x0 + x1) / 2) * W}" cy="${(y0 + ((y1 - y0) * (i + 0.5)) / 3) * H}" r="${(x1 - x0) * W * 0.32}" fill="${on ? colour : '#2b2b2b'}"/>`;
      p.push(lamp(0, phase === 'red', '#ff2a1f'), lamp(1, phase === 'amber', '#ffb300'), lamp(2, phase === 'green', '#27e05a'));
      for (const v of vehiclesAt(t)) {
        const [a, b, c, d] = v.box;
        const colour = v.kind === 'car' ? '#c8d3e0' : '#b03a2e';
        p.push(`<rect x="${a * W}" y="${b * H}" width="${(c - a) * W}" height="${(d - b) * H}" rx="3" fill="${colour}" stroke="#111"/>`);
      }
      p.push(`<text x="8" y="${H - 8}" font-family="sans-serif" font-size="12" fill="#fff" fill-opacity="0.8">VIGIL DEMO · rendered scene</text></svg>`);
      return p.join('');
    },
  };
}
