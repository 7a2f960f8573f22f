/** A tiny element builder: h('div', { class: 'x', onclick }, children...). Text is always escaped. */
type Attrs = Record<string, string | number | boolean | ((ev: Event) => void) | undefined>;
export function h(tag: string, attrs: Attrs = {}, ...children: (Node | string | null | undefined | false)[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';
export function svg(tag: string, attrs: Record<string, string | number> = {}, ...children: SVGElement[]): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

/** A line chart of [time, value] points, scaled to the box; null values break the line. */
export function lineChart(points: [string, number | null][], width = 320, height = 90, thresholds: number[] = []): SVGElement {
  const known = points.filter((p): p is [string, number] => p[1] !== null);
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img' });
  if (known.length === 0) return root;
  const ts = known.map((p) => Date.parse(p[0]));
  const vs = known.map((p) => p[1]);
  const t0 = Math.min(...ts);
  const t1 = Math.max(...ts, t0 + 1);
  const v0 = Math.min(0, ...vs);
  const v1 = Math.max(...vs, ...thresholds, 1) * 1.1;
  const x = (t: number) => 4 + ((t - t0) / (t1 - t0)) * (width - 8);
  const y = (v: number) => height - 4 - ((v - v0) / (v1 - v0)) * (height - 8);
  for (const th of thresholds) root.append(svg('line', { x1: 0, x2: width, y1: y(th), y2: y(th), class: 'threshold' }));
  const d = known.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(Date.parse(p[0])).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
  root.append(svg('path', { d, class: 'line' }));
  const last = known[known.length - 1]!;
  root.append(svg('circle', { cx: x(Date.parse(last[0])), cy: y(last[1]), r: 3, class: 'dot' }));
  return root;
}
