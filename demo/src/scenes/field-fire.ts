import { seededRandom, svgOpen, type Scene } from './scene.js';

export interface FieldFireOptions {
  width?: number;
  height?: number;
  /** Seconds of calm field before the fire starts, and how long it burns. */
  igniteAt?: number;
  burnSeconds?: number;
}

export interface FireTruth {
  fire: boolean;
  smoke: boolean;
  /** Normalised box of the flames when burning. */
  fireBox?: [number, number, number, number];
}

/** A rice field after harvest; straw is set alight at igniteAt, with a growing smoke plume. */
export function fieldFireScene(options: FieldFireOptions = {}): Scene<FireTruth> {
  const { width = 640, height = 360, igniteAt = 10, burnSeconds = 60 } = options;
  const cx = 0.42;
  const baseY = 0.72;
  const sizeAt = (t: number) => Math.max(0, Math.min(1, (t - igniteAt) / 15));
  const burning = (t: number) => t >= igniteAt && t < igniteAt + burnSeconds;
  return {
    name: 'field-fire',
    width,
    height,
    truth(t) {
      if (!burning(t)) return { fire: false, smoke: t >= igniteAt && t < igniteAt + burnSeconds + 10 };
      const s = 0.03 + 0.09 * sizeAt(t);
      return { fire: true, smoke: true, fireBox: [cx - s, baseY - s * 1.2, cx + s, baseY + 0.02] };
    },
    svg(t) {
      const W = width;
      const H = height;
      const rnd = seededRandom(Math.floor(t * 10) + 11);
      const p: string[] = [svgOpen(W, H)];
      p.push(
        `<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#8fb7dc"/><stop offset="1" stop-color="#e3ecf1"/></linearGradient>`,
        `<radialGradient id="flame"><stop offset="0" stop-color="#fff3b0"/><stop offset="0.45" stop-color="#ffb02e"/><stop offset="1" stop-color="#e0401a" stop-opacity="0"/></radialGradient>`,
        `<filter id="blur"><feGaussianBlur stdDeviation="${0.012 * W}"/></filter></defs>`,
        `<rect width="${W}" height="${H}" fill="url(#sky)"/>`,
        `<path d="M0 ${0.42 * H} Q ${0.25 * W} ${0.34 * H} ${0.5 * W} ${0.41 * H} T ${W} ${0.38 * H} V ${0.46 * H} H 0 Z" fill="#5d7a52"/>`,
        `<rect x="0" y="${0.45 * H}" width="${W}" height="${0.55 * H}" fill="#b59a5a"/>`,
      );
      for (let i = 0; i < 60; i++) {
        const y = (0.47 + 0.53 * (i / 60)) * H;
        p.push(`<line x1="0" y1="${y}" x2="${W}" y2="${y + (rnd() - 0.5) * 4}" stroke="#8f7a44" stroke-opacity="0.35" stroke-width="${1 + i / 30}"/>`);
      }
      if (t >= igniteAt && t < igniteAt + burnSeconds + 10) {
        const s = sizeAt(t);
        const fade = t >= igniteAt + burnSeconds ? 1 - (t - igniteAt - burnSeconds) / 10 : 1;
        // smoke plume drifting right and up
        for (let i = 0; i < 9; i++) {
          const k = i / 8;
          const x = (cx + 0.25 * k * k + (rnd() - 0.5) * 0.01) * W;
          const y = (baseY - 0.08 - 0.55 * k * (0.4 + 0.6 * s)) * H;
          const r = (0.04 + 0.09 * k) * W * (0.5 + 0.5 * s);
          p.push(`<circle cx="${x}" cy="${y}" r="${r}" fill="#8d8d8d" fill-opacity="${(0.55 - 0.35 * k) * fade}" filter="url(#blur)"/>`);
        }
        if (t < igniteAt + burnSeconds) {
          const fs = 0.03 + 0.09 * s;
          for (let i = 0; i < 7; i++) {
            const x = (cx + (rnd() - 0.5) * fs * 1.6) * W;
            const h = fs * (0.7 + rnd() * 0.6) * H * 1.6;
            p.push(`<ellipse cx="${x}" cy="${baseY * H - h / 3}" rx="${fs * W * 0.35}" ry="${h / 2}" fill="url(#flame)"/>`);
          }
        }
      }
      p.push(`<text x="8" y="${H - 8}" font-family="sans-serif" font-size="12" fill="#fff" fill-opacity="0.8">VIGIL DEMO · rendered scene</text></svg>`);
      return p.join('');
    },
  };
}
