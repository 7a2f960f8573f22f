import type { CameraConfig, GatewayConfig } from './schema.js';

export interface CheckIssue {
  /** JSON pointer into the config. */
  path: string;
  message: string;
}

type CameraCheck = (camera: CameraConfig, at: string) => CheckIssue[];

function duplicates<T extends { id: string }>(items: T[], at: string, what: string): CheckIssue[] {
  const seen = new Map<string, number>();
  const issues: CheckIssue[] = [];
  items.forEach((item, i) => {
    const first = seen.get(item.id);
    if (first !== undefined) issues.push({ path: `${at}/${i}/id`, message: `${what} id "${item.id}" is already used by ${what} #${first + 1}: ids must be unique` });
    else seen.set(item.id, i);
  });
  return issues;
}

export function verifyCameraIdsAreUnique(config: GatewayConfig): CheckIssue[] {
  return duplicates(config.cameras, '/cameras', 'camera');
}

export const verifyZoneLineAndGaugeIdsAreUnique: CameraCheck = (camera, at) => [
  ...duplicates(camera.zones, `${at}/zones`, 'zone'),
  ...duplicates(camera.lines, `${at}/lines`, 'line'),
  ...duplicates(camera.gauges, `${at}/gauges`, 'gauge'),
];

export const verifyLanesHaveDirection: CameraCheck = (camera, at) =>
  camera.zones.flatMap((z, i) => {
    if (z.kind === 'lane' && !z.direction) return [{ path: `${at}/zones/${i}`, message: `lane "${z.id}" needs a direction [dx, dy] for the wrong-way rule` }];
    if (z.kind !== 'lane' && z.direction) return [{ path: `${at}/zones/${i}/direction`, message: `direction is only used on lanes; zone "${z.id}" is ${z.kind}` }];
    if (z.direction && z.direction[0] === 0 && z.direction[1] === 0) return [{ path: `${at}/zones/${i}/direction`, message: 'direction [0, 0] has no direction' }];
    return [];
  });

export const verifyGaugeMarksAreDistinct: CameraCheck = (camera, at) =>
  camera.gauges.flatMap((g, i) => {
    const heights = new Set(g.marks.map((m) => m.cm));
    if (heights.size < 2) return [{ path: `${at}/gauges/${i}/marks`, message: `gauge "${g.id}" needs at least two marks of different height to convert pixels to cm` }];
    const [a, b] = g.marks;
    if (a && b && a.at[0] === b.at[0] && a.at[1] === b.at[1]) return [{ path: `${at}/gauges/${i}/marks/1/at`, message: `gauge "${g.id}" has two marks at the same image point` }];
    return [];
  });

function refersTo(kind: string, id: string | undefined, pool: { id: string; kind?: string }[], path: string, allowedKinds?: string[]): CheckIssue[] {
  if (id === undefined) return [];
  const found = pool.find((p) => p.id === id);
  const known = pool.filter((p) => !allowedKinds || allowedKinds.includes(p.kind ?? '')).map((p) => p.id);
  if (!found) return [{ path, message: `${kind} "${id}" does not exist in this camera${known.length ? ` (known: ${known.join(', ')})` : ''}` }];
  if (allowedKinds && !allowedKinds.includes(found.kind ?? '')) return [{ path, message: `"${id}" is a ${found.kind}, but this needs a ${allowedKinds.join(' or ')}` }];
  return [];
}

export const verifyAnalyticsReferenceExistingZones: CameraCheck = (camera, at) => {
  const a = camera.analytics;
  const p = `${at}/analytics`;
  const issues: CheckIssue[] = [];
  if (a.flood) {
    issues.push(...refersTo('gauge', a.flood.gauge, camera.gauges, `${p}/flood/gauge`));
    issues.push(...refersTo('zone', a.flood.area_zone, camera.zones, `${p}/flood/area_zone`, ['flood_area']));
    if (!a.flood.gauge && !a.flood.area_zone) issues.push({ path: `${p}/flood`, message: 'flood needs a gauge (depth) or an area_zone (flooded share), or both' });
    const { watch, warning, danger } = a.flood.levels_cm;
    if (!(watch < warning && warning < danger)) issues.push({ path: `${p}/flood/levels_cm`, message: `levels must rise: watch (${watch}) < warning (${warning}) < danger (${danger})` });
  }
  if (a.fire) {
    a.fire.zones.forEach((z, i) => issues.push(...refersTo('zone', z, camera.zones, `${p}/fire/zones/${i}`, ['forest', 'field', 'urban'])));
    if (a.fire.confirm_k > a.fire.confirm_n) issues.push({ path: `${p}/fire/confirm_k`, message: `confirm_k (${a.fire.confirm_k}) cannot exceed confirm_n (${a.fire.confirm_n})` });
  }
  if (a.traffic) {
    issues.push(...refersTo('zone', a.traffic.signal, camera.zones, `${p}/traffic/signal`, ['signal']));
    if (a.traffic.red_light) {
      issues.push(...refersTo('line', a.traffic.red_light.stop_line, camera.lines, `${p}/traffic/red_light/stop_line`, ['stop_line']));
      if (!a.traffic.signal && !a.traffic.signal_topic)
        issues.push({ path: `${p}/traffic/red_light`, message: 'red_light needs the signal state: set traffic.signal (a signal zone) or traffic.signal_topic' });
    }
    a.traffic.count_lines.forEach((l, i) => issues.push(...refersTo('line', l, camera.lines, `${p}/traffic/count_lines/${i}`, ['count', 'stop_line'])));
  }
  return issues;
};

export const CAMERA_CHECKS: readonly CameraCheck[] = [
  verifyZoneLineAndGaugeIdsAreUnique,
  verifyLanesHaveDirection,
  verifyGaugeMarksAreDistinct,
  verifyAnalyticsReferenceExistingZones,
];

/** Every cross-field check, by name, so the error list and the docs can say which rule failed. */
export function runConfigChecks(config: GatewayConfig): CheckIssue[] {
  return [
    ...verifyCameraIdsAreUnique(config),
    ...config.cameras.flatMap((camera, i) => CAMERA_CHECKS.flatMap((check) => check(camera, `/cameras/${i}`))),
  ];
}
