import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Slug } from '../ids.js';

/**
 * The gateway config file (one YAML file per gateway). Schema first: every field has a description
 * (it doubles as the configuration reference in docs/ and the dashboard's form labels), unknown keys
 * are errors, and coordinates are normalised to the frame (0..1, origin top-left) so zones survive a
 * change of detect size.
 */
export const CONFIG_VERSION = 1;

const closed = { additionalProperties: false } as const;

export const Point = Type.Tuple([Type.Number({ minimum: 0, maximum: 1 }), Type.Number({ minimum: 0, maximum: 1 })], {
  description: 'A point [x, y], normalised to the frame (0..1, origin top-left).',
});
export const Polygon = Type.Array(Point, { minItems: 3, description: 'Polygon vertices, in order.' });
const Segment = Type.Array(Point, { minItems: 2, maxItems: 2, description: 'Two end points [[x1, y1], [x2, y2]].' });

const oneOfStrings = <T extends string>(values: readonly T[], description: string) =>
  Type.Union(values.map((v) => Type.Literal(v)), { description }) as unknown as TSchema & { static: T };

export const ROAD_CLASSES = ['motorbike', 'car', 'bus', 'truck', 'bicycle', 'person'] as const;
const RoadClass = oneOfStrings(ROAD_CLASSES, 'Road user class.');

export const ZONE_KINDS = ['forest', 'field', 'urban', 'road', 'sidewalk', 'no_stopping', 'lane', 'flood_area', 'signal', 'mask'] as const;
export const Zone = Type.Object(
  {
    id: Slug('Zone id, unique within the camera.'),
    kind: oneOfStrings(
      ZONE_KINDS,
      'What the area is: forest, field (rice fields: straw burning), urban, road, sidewalk, no_stopping, lane (needs direction), flood_area (reference region for flooded share), signal (a traffic light head) or mask (ignored by analytics).',
    ),
    polygon: Polygon,
    direction: Type.Optional(
      Type.Tuple([Type.Number(), Type.Number()], { description: 'Lane only: allowed travel direction as a vector [dx, dy] in image space.' }),
    ),
    allowed_classes: Type.Optional(Type.Array(RoadClass, { description: 'Lane or sidewalk: classes allowed in it; others raise lane_violation.' })),
    name: Type.Optional(Type.String({ description: 'Display name (Vietnamese or English).' })),
  },
  { ...closed, description: 'A polygon with a meaning.' },
);

export const LINE_KINDS = ['stop_line', 'count'] as const;
export const Line = Type.Object(
  {
    id: Slug('Line id, unique within the camera.'),
    kind: oneOfStrings(LINE_KINDS, 'stop_line (red-light rule) or count (per-class counting).'),
    points: Segment,
    name: Type.Optional(Type.String({ description: 'Display name.' })),
  },
  { ...closed, description: 'A line that vehicles cross.' },
);

export const GaugeMark = Type.Object(
  {
    at: Point,
    cm: Type.Number({ description: 'Height of this mark above the reference (road surface or gauge zero), in cm.' }),
  },
  { ...closed, description: 'A mark of known height on the gauge.' },
);
export const Gauge = Type.Object(
  {
    id: Slug('Gauge id, unique within the camera.'),
    marks: Type.Array(GaugeMark, {
      minItems: 2,
      description: 'At least two marks of known height along the gauge (a painted staff gauge, a pole or a wall).',
    }),
    width: Type.Number({ default: 0.02, exclusiveMinimum: 0, maximum: 0.5, description: 'Width of the strip read around the gauge line, as a share of frame width.' }),
    name: Type.Optional(Type.String({ description: 'Display name.' })),
  },
  { ...closed, description: 'A flood depth gauge: a line in the image with marks of known height.' },
);

export const Source = Type.Object(
  {
    url: Type.String({ minLength: 1, description: 'rtsp://, http(s):// (MJPEG) or a file path. May use ${ENV} for credentials.' }),
    transport: oneOfStrings(['tcp', 'udp'], 'RTSP transport. TCP survives lossy links better.'),
    timeout_s: Type.Number({ default: 10, exclusiveMinimum: 0, description: 'Connect and read timeout.' }),
    loop: Type.Boolean({ default: false, description: 'Files only: start again at the end.' }),
    realtime: Type.Boolean({ default: true, description: 'Files only: pace frames in real time (false = as fast as possible, for offline processing).' }),
    hwaccel: Type.Array(Type.String(), { default: [], description: 'Extra ffmpeg input flags for hardware decoding, passed through (e.g. ["-hwaccel", "vaapi"]).' }),
  },
  { ...closed, description: 'Where the video comes from.' },
);

export const Detect = Type.Object(
  {
    width: Type.Integer({ default: 640, minimum: 64, maximum: 3840, description: 'Decoded frame width (ffmpeg scales to it).' }),
    height: Type.Integer({ default: 360, minimum: 64, maximum: 2160, description: 'Decoded frame height.' }),
    fps: Type.Number({ default: 5, exclusiveMinimum: 0, maximum: 60, description: 'Frames per second handed to analytics.' }),
  },
  { ...closed, description: 'Decode size and rate.' },
);

export const Motion = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Gate detection on motion (analytics that sample periodically still run).' }),
    sensitivity: Type.Number({ default: 0.5, minimum: 0, maximum: 1, description: '0 = only large changes, 1 = the smallest.' }),
    masks: Type.Array(Polygon, { default: [], description: 'Areas whose motion is ignored (trees in wind, timestamps).' }),
  },
  { ...closed, description: 'Motion gating.' },
);

export const Health = Type.Object(
  {
    stall_s: Type.Number({ default: 20, exclusiveMinimum: 0, description: 'No frame for this long: restart ffmpeg and report the camera offline.' }),
    frozen_s: Type.Number({ default: 60, exclusiveMinimum: 0, description: 'Identical frames for this long: camera_tampered (frozen).' }),
    tamper_s: Type.Number({ default: 30, exclusiveMinimum: 0, description: 'Covered, blurred or dark for this long: camera_tampered.' }),
  },
  { ...closed, description: 'Camera health checks.' },
);

export const FloodAnalytic = Type.Object(
  {
    gauge: Type.Optional(Slug('Gauge to read the depth from.')),
    area_zone: Type.Optional(Slug('flood_area zone for the flooded share.')),
    levels_cm: Type.Object(
      {
        watch: Type.Number({ default: 10, description: 'Depth that raises "watch".' }),
        warning: Type.Number({ default: 30, description: 'Depth that raises "warning".' }),
        danger: Type.Number({ default: 50, description: 'Depth that raises "danger".' }),
      },
      { ...closed, default: {}, description: 'Warning levels.' },
    ),
    hysteresis_cm: Type.Number({ default: 3, minimum: 0, description: 'A level ends only this far below its threshold, so it never flaps.' }),
    sample_every_s: Type.Number({ default: 10, exclusiveMinimum: 0, description: 'Sample period (runs even without motion).' }),
    smoothing_samples: Type.Integer({ default: 5, minimum: 1, description: 'Median window over samples.' }),
  },
  { ...closed, description: 'Flood depth on a calibrated gauge, and flooded area.' },
);

export const FireAnalytic = Type.Object(
  {
    zones: Type.Array(Slug('Zone id.'), { default: [], description: 'Zones watched (kind forest, field or urban). Empty = the whole frame as urban.' }),
    confirm_k: Type.Integer({ default: 3, minimum: 1, description: 'Frames with fire or smoke needed ...' }),
    confirm_n: Type.Integer({ default: 5, minimum: 1, description: '... among the last n sampled frames before an event starts.' }),
    cooldown_s: Type.Number({ default: 600, minimum: 0, description: 'After an incident ends, no new one in the same zone for this long.' }),
    sample_every_s: Type.Number({ default: 1, exclusiveMinimum: 0, description: 'Sample period (runs even without motion).' }),
    burning_season: Type.Optional(
      Type.Object(
        {
          months: Type.Array(Type.Integer({ minimum: 1, maximum: 12 }), { minItems: 1, description: 'Months (1-12) in which field fires count as straw burning.' }),
          hours: Type.Optional(Type.Tuple([Type.Integer({ minimum: 0, maximum: 23 }), Type.Integer({ minimum: 0, maximum: 24 })], { description: '[from, to) local hours.' })),
        },
        { ...closed, description: 'When field fires are reported as straw_burning.' },
      ),
    ),
  },
  { ...closed, description: 'Fire and smoke, typed by the zone kind.' },
);

export const TrafficAnalytic = Type.Object(
  {
    signal: Type.Optional(Slug('signal zone (traffic light head ROI).')),
    signal_topic: Type.Optional(Type.String({ description: 'MQTT topic of the signal controller, instead of reading the light from video.' })),
    red_light: Type.Optional(
      Type.Object(
        {
          stop_line: Slug('stop_line line id.'),
          grace_s: Type.Number({ default: 0.5, minimum: 0, description: 'Seconds after red turns on before crossing counts.' }),
        },
        { ...closed, description: 'Crossing the stop line on red.' },
      ),
    ),
    wrong_way_min_distance: Type.Number({ default: 0.1, minimum: 0, description: 'Distance against a lane, as a share of the frame diagonal, before wrong_way fires.' }),
    stopping_max_s: Type.Number({ default: 60, exclusiveMinimum: 0, description: 'Stopped in a no_stopping zone longer than this: illegal_stopping.' }),
    count_lines: Type.Array(Slug('count line id.'), { default: [], description: 'Lines to count per class.' }),
    speed: Type.Optional(
      Type.Object(
        {
          image: Type.Array(Point, { minItems: 4, maxItems: 4, description: 'Four image points of a ground rectangle.' }),
          ground_m: Type.Array(Type.Tuple([Type.Number(), Type.Number()]), { minItems: 4, maxItems: 4, description: 'The same four points on the ground, in metres.' }),
          limit_kmh: Type.Number({ exclusiveMinimum: 0, description: 'Speed limit.' }),
        },
        { ...closed, description: 'Ground calibration (homography) for speed.' },
      ),
    ),
  },
  { ...closed, description: 'Tracking and traffic rules.' },
);

export const Analytics = Type.Object(
  {
    flood: Type.Optional(FloodAnalytic),
    fire: Type.Optional(FireAnalytic),
    traffic: Type.Optional(TrafficAnalytic),
  },
  { ...closed, default: {}, description: 'Analytics run on this camera; absent = off.' },
);

export const Camera = Type.Object(
  {
    id: Slug('Camera id, unique within the gateway (a topic level).'),
    name: Type.Optional(Type.String({ description: 'Display name (Vietnamese or English).' })),
    location: Type.Optional(
      Type.Object(
        { lat: Type.Number({ minimum: -90, maximum: 90, description: 'Latitude.' }), lon: Type.Number({ minimum: -180, maximum: 180, description: 'Longitude.' }) },
        { ...closed, description: 'Where the camera is, for the map.' },
      ),
    ),
    enabled: Type.Boolean({ default: true, description: 'Set false to keep a camera in the file without running it.' }),
    source: Source,
    detect: Type.Object(Detect.properties, { ...closed, default: {}, description: Detect.description }),
    motion: Type.Object(Motion.properties, { ...closed, default: {}, description: Motion.description }),
    health: Type.Object(Health.properties, { ...closed, default: {}, description: Health.description }),
    zones: Type.Array(Zone, { default: [], description: 'Areas with a meaning.' }),
    lines: Type.Array(Line, { default: [], description: 'Lines vehicles cross.' }),
    gauges: Type.Array(Gauge, { default: [], description: 'Flood depth gauges.' }),
    analytics: Analytics,
  },
  { ...closed, description: 'One camera.' },
);

export const Mqtt = Type.Object(
  {
    url: Type.String({ default: 'mqtt://127.0.0.1:1883', description: 'Broker URL: mqtt:// or mqtts:// (TLS).' }),
    username: Type.Optional(Type.String({ description: 'Username (usually the gateway id).' })),
    password: Type.Optional(Type.String({ description: 'Password; use ${VIGIL_MQTT_PASSWORD} or ${file:/run/secrets/mqtt}.' })),
    ca: Type.Optional(Type.String({ description: 'CA certificate file to pin (mqtts).' })),
    cert: Type.Optional(Type.String({ description: 'Client certificate file (mqtts).' })),
    key: Type.Optional(Type.String({ description: 'Client key file (mqtts).' })),
    keepalive_s: Type.Integer({ default: 30, minimum: 5, description: 'MQTT keepalive; the Last Will fires after 1.5x this.' }),
    protocol_version: Type.Union([Type.Literal(5), Type.Literal(4)], {
      default: 5,
      description: 'MQTT protocol: 5 (default; evidence headers ride in user properties) or 4 = MQTT 3.1.1 for brokers without MQTT 5, such as the demo\'s in-process aedes (evidence headers then ride in the payload, see docs/contract).',
    }),
  },
  { ...closed, default: {}, description: 'Link to the central broker.' },
);

export const Storage = Type.Object(
  {
    dir: Type.String({ default: '.vigil/edge', description: 'Directory for the outbox and evidence.' }),
    outbox_max_mb: Type.Number({ default: 512, exclusiveMinimum: 0, description: 'Outbox size bound: telemetry is thinned first; events are never dropped.' }),
    evidence_max_mb: Type.Number({ default: 2048, exclusiveMinimum: 0, description: 'Evidence disk bound; oldest files already delivered go first.' }),
    retention_days: Type.Number({ default: 7, exclusiveMinimum: 0, description: 'Evidence retention on the gateway.' }),
  },
  { ...closed, default: {}, description: 'Local storage.' },
);

export const Inference = Type.Object(
  {
    threads: Type.Integer({ default: 2, minimum: 1, maximum: 64, description: 'onnxruntime intra-op threads.' }),
    detector: Type.String({ default: 'centernet-coco', description: 'Model name for object detection (models/<name>/model.json).' }),
    fire: Type.String({ default: 'fire-smoke', description: 'Fire/smoke detection model for fire cameras (models/<name>/model.json; labels fire and smoke).' }),
    water: Type.String({ default: 'water', description: 'Water segmentation model for flood cameras: water (a head on the CenterNet backbone, better) or water-lite (small, from scratch, for gateways that cannot afford the backbone pass).' }),
  },
  { ...closed, default: {}, description: 'Model runtime.' },
);

export const GatewayConfig = Type.Object(
  {
    version: Type.Literal(CONFIG_VERSION, { description: 'Config file version.' }),
    site: Slug('Site (city or district) id, e.g. hue.'),
    gateway: Slug('Gateway id, unique within the site.'),
    mqtt: Mqtt,
    storage: Storage,
    inference: Inference,
    cameras: Type.Array(Camera, { minItems: 1, description: 'Cameras on this gateway.' }),
  },
  {
    $id: 'vigil.gateway-config-file.v1',
    title: 'Gateway configuration',
    description: 'One YAML file per gateway.',
    ...closed,
  },
);
export type GatewayConfig = Static<typeof GatewayConfig>;
export type CameraConfig = GatewayConfig['cameras'][number];
export type ZoneConfig = Static<typeof Zone>;
export type LineConfig = Static<typeof Line>;
export type GaugeConfig = Static<typeof Gauge>;
