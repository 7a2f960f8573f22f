import { seededRandom, svgOpen, type Scene } from './scene.js';

export interface FloodGaugeOptions {
  width?: number;
  height?: number;
  /** Clip length; the water rises from startCm to peakCm over it, then holds. */
  seconds?: number;
  startCm?: number;
  peakCm?: number;
  night?: boolean;
  rain?: boolean;
  /** Ripple highlights on the water surface (default 14). */
  ripples?: number;
  /** Mirror the gauge's ticks in the water below the waterline, broken by the ripples. */
  reflection?: boolean;
  /** Sensor grain: opacity 0..1 of a fractal-noise layer over the whole frame (default 0). */
  noise?: number;
}

export interface FloodTruth {
  depthCm: number;
  /** Normalised y of the waterline at the gauge. */
  waterlineY: number;
}

/**
 * A street corner with a painted staff gauge (0-100 cm, a mark every 10 cm) and flood water rising.
 * The gauge's 0 cm and 100 cm marks sit at known image points, which become the camera config's
 * gauge calibration: GAUGE_MARKS.
 */
export const GAUGE_X = 0.5;
export const GAUGE_ZERO_Y = 0.82;
export const GAUGE_TOP_Y = 0.22;
export const GAUGE_MARKS = [
  { at: [GAUGE_X, GAUGE_ZERO_Y] as [number, number], cm: 0 },
  { at: [GAUGE_X, GAUGE_TOP_Y] as [number, number], cm: 100 },
];

export function floodGaugeScene(options: FloodGaugeOptions = {}): Scene<FloodTruth> {
  const { width = 640, height = 360, seconds = 120, startCm = 0, peakCm = 60, night = false, rain = false, ripples = 14, reflection = false, noise = 0 } = options;
  const cmToY = (cm: number) => GAUGE_ZERO_Y + ((GAUGE_TOP_Y - GAUGE_ZERO_Y) * cm) / 100;
  const depthAt = (t: number) => {
    const rise = Math.min(1, Math.max(0, t / (seconds * 0.8)));
    return startCm + (peakCm - startCm) * rise;
  };
  return {
    name: 'flood-gauge',
    width,
    height,
    truth(t) {
      const depthCm = depthAt(t);
      return { depthCm, waterlineY: cmToY(depthCm) };
    },
    svg(t) {
      const W = width;
      const H = height;
      const rnd = seededRandom(Math.floor(t * 10) + 7);
      const depth = depthAt(t);
      const wy = cmToY(depth) * H;
      const gx = GAUGE_X * W;
      const gw = 0.035 * W;
      const y0 = GAUGE_ZERO_Y * H;
      const y100 = GAUGE_TOP_Y * H;
      const parts: string[] = [svgOpen(W, H)];
      parts.push(
        `<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${night ? '#0b1020' : '#9cc3e6'}"/><stop offset="1" stop-color="${night ? '#1c2438' : '#dce9f2'}"/></linearGradient>`,
        `<linearGradient id="water" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${night ? '#2a3140' : '#7d7358'}" stop-opacity="0.92"/><stop offset="1" stop-color="${night ? '#151a24' : '#4f4a3a'}" stop-opacity="0.97"/></linearGradient></defs>`,
        `<rect width="${W}" height="${H}" fill="url(#sky)"/>`,
        // houses and a wall behind the gauge
        `<rect x="0" y="${0.25 * H}" width="${0.38 * W}" height="${0.6 * H}" fill="${night ? '#3b3a36' : '#d9c9a3'}"/>`,
        `<rect x="${0.62 * W}" y="${0.18 * H}" width="${0.38 * W}" height="${0.67 * H}" fill="${night ? '#36363c' : '#c7b79a'}"/>`,
        `<rect x="${0.05 * W}" y="${0.35 * H}" width="${0.08 * W}" height="${0.12 * H}" fill="${night ? '#e8d27a' : '#55606e'}"/>`,
        `<rect x="${0.75 * W}" y="${0.3 * H}" width="${0.08 * W}" height="${0.12 * H}" fill="${night ? '#e8d27a' : '#55606e'}"/>`,
        // road
        `<rect x="0" y="${0.8 * H}" width="${W}" height="${0.2 * H}" fill="${night ? '#1d1d1f' : '#5c5c5c'}"/>`,
        // the staff gauge: white board with black ticks every 10 cm and red numbers every 20 cm
        `<rect x="${gx - gw / 2}" y="${y100 - 6}" width="${gw}" height="${y0 - y100 + 12}" fill="${night ? '#b9b9b9' : '#f4f4f0'}" stroke="#222" stroke-width="1"/>`,
      );
      for (let cm = 0; cm <= 100; cm += 10) {
        const y = cmToY(cm) * H;
        const long = cm % 20 === 0;
        parts.push(`<rect x="${gx - gw / 2}" y="${y - 1.5}" width="${long ? gw : gw * 0.6}" height="3" fill="${cm % 20 === 0 ? '#c0151b' : '#111'}"/>`);
      }
      // water: fills below the waterline, with ripples and the gauge's broken reflection
      parts.push(`<rect x="0" y="${wy}" width="${W}" height="${H - wy}" fill="url(#water)"/>`);
      if (reflection) {
        // the painted ticks seen upside down in the water, each shifted sideways by the waves
        for (let cm = 0; cm <= 100; cm += 10) {
          const ry = 2 * wy - cmToY(cm) * H;
          if (ry <= wy || ry >= H) continue;
          const shift = (rnd() - 0.5) * gw * 0.6;
          parts.push(`<rect x="${gx - gw / 2 + shift}" y="${ry - 1.5}" width="${cm % 20 === 0 ? gw : gw * 0.6}" height="3" fill="${cm % 20 === 0 ? '#c0151b' : '#111'}" fill-opacity="0.45"/>`);
        }
        parts.push(`<rect x="${gx - gw / 2}" y="${wy}" width="${gw}" height="${Math.min(2 * (y0 - wy) + 12, H - wy)}" fill="${night ? '#b9b9b9' : '#f4f4f0'}" fill-opacity="0.22"/>`);
      }
      for (let i = 0; i < ripples; i++) {
        const rx = rnd() * W;
        const ry = wy + 2 + rnd() * Math.max(4, H - wy - 4);
        parts.push(`<ellipse cx="${rx}" cy="${ry}" rx="${10 + rnd() * 30}" ry="${1 + rnd() * 1.5}" fill="#ffffff" fill-opacity="${0.08 + rnd() * 0.12}"/>`);
      }
      parts.push(`<rect x="${gx - gw / 2}" y="${wy + 2}" width="${gw}" height="${Math.min(40, H - wy)}" fill="#ffffff" fill-opacity="0.12"/>`);
      parts.push(`<line x1="0" y1="${wy}" x2="${W}" y2="${wy}" stroke="#d8d2c0" stroke-opacity="0.35" stroke-width="1.5"/>`);
      if (rain) {
        for (let i = 0; i < 120; i++) {
          const x = rnd() * W;
          const y = rnd() * H;
          parts.push(`<line x1="${x}" y1="${y}" x2="${x - 3}" y2="${y + 12}" stroke="#dfe8f0" stroke-opacity="0.35" stroke-width="1"/>`);
        }
      }
      if (noise > 0) {
        parts.push(
          `<filter id="grain" x="0" y="0" width="1" height="1"><feTurbulence type="fractalNoise" baseFrequency="0.9" numOctaves="2" seed="${Math.floor(t * 10) + 3}"/><feColorMatrix type="saturate" values="0"/></filter>`,
          `<rect width="${W}" height="${H}" filter="url(#grain)" opacity="${noise}"/>`,
        );
      }
      parts.push(`<text x="8" y="${H - 8}" font-family="sans-serif" font-size="12" fill="#fff" fill-opacity="0.8">VIGIL DEMO · rendered scene</text>`);
      parts.push('</svg>');
      return parts.join('');
    },
  };
}
