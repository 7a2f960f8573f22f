import sharp from 'sharp';
import type { Box } from '@vigil/contracts';
import type { Point } from '../geometry/index.js';
import type { ImageView } from '../analytics/flood/water-level-estimator.js';

export interface SnapshotAnnotation {
  camera: string;
  at: number;
  /** Headline, e.g. "straw_burning · start". */
  label: string;
  boxes?: readonly Box[];
  zones?: readonly { id: string; polygon: readonly Point[] }[];
  /** A marker line, e.g. the waterline on a gauge (normalised points). */
  line?: readonly [Point, Point];
  /** Extra lines under the headline, e.g. "32.5 cm · warning". */
  notes?: readonly string[];
}

const COLOURS: Record<string, string> = { fire: '#ff3b1f', flame: '#ff3b1f', smoke: '#b8c2cc' };

/**
 * The annotated JPEG of an event: the frame with boxes, zone outlines, the label, the time and the
 * camera drawn as an SVG overlay composited by sharp (one native pass, no canvas dependency).
 */
export async function annotateSnapshot(image: ImageView, a: SnapshotAnnotation, quality = 80): Promise<Buffer> {
  const { width: W, height: H } = image;
  const channels = image.format === 'gray' ? 1 : 3;
  const px = ([x, y]: Point) => `${(x * W).toFixed(1)},${(y * H).toFixed(1)}`;
  const font = Math.max(11, Math.round(H / 28));
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">`];
  for (const z of a.zones ?? []) {
    parts.push(`<polygon points="${z.polygon.map(px).join(' ')}" fill="#ffd400" fill-opacity="0.08" stroke="#ffd400" stroke-width="2" stroke-dasharray="6 4"/>`);
    const [x, y] = z.polygon[0]!;
    parts.push(text(x * W + 4, y * H + font, z.id, font * 0.8, '#ffd400'));
  }
  for (const b of a.boxes ?? []) {
    const colour = COLOURS[b.label ?? ''] ?? '#00e0ff';
    const [x, y, w, h] = [b.x1 * W, b.y1 * H, (b.x2 - b.x1) * W, (b.y2 - b.y1) * H];
    parts.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" fill="none" stroke="${colour}" stroke-width="3"/>`);
    const tag = `${b.label ?? ''}${b.score !== undefined ? ` ${Math.round(b.score * 100)}%` : ''}`;
    if (tag) parts.push(text(x + 2, Math.max(font, y - 4), tag, font * 0.8, colour));
  }
  if (a.line) parts.push(`<line x1="${a.line[0][0] * W}" y1="${a.line[0][1] * H}" x2="${a.line[1][0] * W}" y2="${a.line[1][1] * H}" stroke="#00e0ff" stroke-width="3"/>`);
  const header = [`${a.camera} · ${new Date(a.at).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z')}`, a.label, ...(a.notes ?? [])];
  parts.push(`<rect x="0" y="0" width="${W}" height="${(header.length * font * 1.25 + font * 0.5).toFixed(0)}" fill="#000" fill-opacity="0.55"/>`);
  header.forEach((line, i) => parts.push(text(6, font * 1.15 * (i + 1), line, font, '#fff')));
  parts.push('</svg>');
  return sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), { raw: { width: W, height: H, channels } })
    .composite([{ input: Buffer.from(parts.join('')), top: 0, left: 0 }])
    .jpeg({ quality })
    .toBuffer();
}

const text = (x: number, y: number, s: string, size: number, fill: string) =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-family="sans-serif" font-size="${size.toFixed(0)}" fill="${fill}" stroke="#000" stroke-width="0.6" paint-order="stroke">${escapeXml(s)}</text>`;

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
