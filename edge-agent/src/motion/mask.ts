/** Normalised polygon vertices [x, y] in 0..1, as in the camera config. */
export type NormalisedPolygon = readonly (readonly [number, number])[];

/** Even-odd rule; points exactly on an edge may fall either side, which is fine for pixel masks. */
export function pointInPolygon(x: number, y: number, polygon: NormalisedPolygon): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i]!;
    const [xj, yj] = polygon[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** 1 where a pixel's centre lies inside any of the polygons (the ignored area), else 0. */
export function rasterizeMask(polygons: readonly NormalisedPolygon[], width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  if (polygons.length === 0) return mask;
  for (let y = 0; y < height; y++) {
    const ny = (y + 0.5) / height;
    for (let x = 0; x < width; x++) {
      const nx = (x + 0.5) / width;
      if (polygons.some((p) => pointInPolygon(nx, ny, p))) mask[y * width + x] = 1;
    }
  }
  return mask;
}
