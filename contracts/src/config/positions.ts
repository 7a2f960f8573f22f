import { isMap, isScalar, isSeq, LineCounter, type Document, type Node } from 'yaml';

export interface SourcePosition {
  line: number;
  col: number;
}

/** JSON pointer "/cameras/0/zones" -> ["cameras", 0, "zones"]. */
export function pointerSegments(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/**
 * Where a JSON pointer lands in the YAML source. `asKey` points at the key of the last segment (for
 * "unknown key" errors) instead of its value. A path that does not exist (a missing required field)
 * lands on its nearest existing parent.
 */
export function positionOf(doc: Document, lines: LineCounter, pointer: string, asKey = false): SourcePosition | undefined {
  const segments = pointerSegments(pointer);
  let node: unknown = doc.contents;
  let best: Node | undefined = doc.contents ?? undefined;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const last = i === segments.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg);
      if (!pair) break;
      if (last && asKey && pair.key && isScalar(pair.key)) {
        best = pair.key;
        break;
      }
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
    } else {
      break;
    }
    if (node && typeof node === 'object' && 'range' in node) best = node as Node;
    else break;
  }
  const offset = best?.range?.[0];
  if (offset === undefined) return undefined;
  const pos = lines.linePos(offset);
  return { line: pos.line, col: pos.col };
}
