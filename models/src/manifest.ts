import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { VigilError } from '@vigil/contracts';

/**
 * models/<name>/model.json: everything the runtime needs to feed a model and read its outputs, and
 * what a reviewer needs to trust it (source, licence, checksum, measured metrics). Unknown keys are
 * errors so a typo never silently falls back to a default.
 */
const strict = { additionalProperties: false } as const;

export const InputSpec = Type.Object({
  name: Type.String({ title: 'Input tensor name', description: 'Name of the ONNX graph input the image goes into.' }),
  layout: Type.Union([Type.Literal('NCHW'), Type.Literal('NHWC')], { title: 'Tensor layout' }),
  width: Type.Integer({ minimum: 1, title: 'Input width (pixels)' }),
  height: Type.Integer({ minimum: 1, title: 'Input height (pixels)' }),
  colour: Type.Union([Type.Literal('RGB'), Type.Literal('BGR')], { title: 'Channel order', description: 'Order of the colour channels the model was trained on.' }),
  mean: Type.Tuple([Type.Number(), Type.Number(), Type.Number()], { title: 'Per-channel mean', description: 'Subtracted from 0-255 pixel values, in the model\'s channel order.' }),
  std: Type.Tuple([Type.Number(), Type.Number(), Type.Number()], { title: 'Per-channel std', description: 'Divides (pixel - mean), in the model\'s channel order.' }),
  resize: Type.Union([Type.Literal('stretch'), Type.Literal('letterbox')], { title: 'Resize rule', description: 'stretch: scale each axis to the input size; letterbox: keep aspect ratio and pad.' }),
  letterboxAlign: Type.Optional(Type.Union([Type.Literal('center'), Type.Literal('top-left')], { title: 'Letterbox placement', description: 'Where the scaled image sits in the padded input.' })),
  pad: Type.Optional(Type.Integer({ minimum: 0, maximum: 255, title: 'Letterbox pad value (0-255, before normalisation)' })),
  batch: Type.Union([Type.Literal('dynamic'), Type.Integer({ minimum: 1 })], { title: 'Batch dimension', description: '"dynamic" when frames of several cameras can share one run; otherwise the fixed batch size.' }),
}, strict);

export const YoloxDecoder = Type.Object({
  type: Type.Literal('yolox'),
  output: Type.String({ description: 'Output [1, anchors, 5 + classes]: x, y, log w, log h (grid units), objectness, class scores (sigmoid applied in graph).' }),
  strides: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1 }),
}, strict);

export const NanodetDecoder = Type.Object({
  type: Type.Literal('nanodet'),
  strides: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1 }),
  classOutputs: Type.Array(Type.String(), { minItems: 1, description: 'Per-stride class scores [1, cells, classes] (sigmoid applied in graph).' }),
  boxOutputs: Type.Array(Type.String(), { minItems: 1, description: 'Per-stride GFL distance logits [1, cells, 4 * (regMax + 1)], sides l,t,r,b.' }),
  regMax: Type.Integer({ minimum: 1 }),
}, strict);

export const CenternetDecoder = Type.Object({
  type: Type.Literal('centernet'),
  heatmap: Type.String({ description: 'Class heatmap [N, classes, H, W] (sigmoid applied).' }),
  sizes: Type.String({ description: 'Box extents [N, 4, H, W]: distances left, top, right, bottom from the peak, in input pixels.' }),
  stride: Type.Integer({ minimum: 1, description: 'Input pixels per heatmap cell.' }),
  topK: Type.Integer({ minimum: 1, description: 'Peaks kept per image before NMS.' }),
}, strict);

export const Yolov8Decoder = Type.Object({
  type: Type.Literal('yolov8'),
  output: Type.String({ description: 'Output [1, 4 + classes, anchors]: cx, cy, w, h in input pixels, then class scores.' }),
}, strict);

export const ClassifierDecoder = Type.Object({
  type: Type.Union([Type.Literal('softmax'), Type.Literal('sigmoid')]),
  output: Type.String({ description: 'Logits [N, classes].' }),
}, strict);

export const SegmentationDecoder = Type.Object({
  type: Type.Literal('segmentation-mask'),
  output: Type.String({ description: 'Logits [N, classes, H, W], or [N, 1, H, W] for one foreground class (sigmoid).' }),
  foreground: Type.Array(Type.Integer({ minimum: 0 }), { minItems: 1, description: 'Class indices counted as foreground (e.g. water).' }),
}, strict);

export const DecoderSpec = Type.Union([YoloxDecoder, NanodetDecoder, CenternetDecoder, Yolov8Decoder, ClassifierDecoder, SegmentationDecoder]);

export const ModelManifest = Type.Object({
  $schema: Type.Optional(Type.String()),
  name: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$', title: 'Model name', description: 'Folder name under models/; what `--model` takes.' }),
  version: Type.String({ title: 'Model version' }),
  task: Type.Union([Type.Literal('detect'), Type.Literal('classify'), Type.Literal('segment')]),
  description: Type.String(),
  file: Type.Object({
    path: Type.String({ description: 'ONNX file: relative to the model folder, or starting with ${VIGIL_DATA_DIR}/ for third-party files we do not ship.' }),
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    generator: Type.Optional(Type.Literal('human-centernet', { description: 'Built at first use by models/src/convert from a file inside an npm package; never committed.' })),
  }, strict),
  input: InputSpec,
  backbone: Type.Optional(Type.Object({
    model: Type.String({ description: 'Model whose graph is run first on the image (same input spec); its weights stay its own.' }),
    features: Type.Record(Type.String(), Type.String(), { description: "This model's graph inputs, each mapped to the backbone model's output that feeds it." }),
  }, { ...strict, title: 'Shared backbone', description: 'For a head trained on a frozen backbone we may not ship: file holds only the head, and the runtime runs backbone then head.' })),
  decoder: DecoderSpec,
  labels: Type.Array(Type.String(), { minItems: 1 }),
  thresholds: Type.Object({
    score: Type.Number({ minimum: 0, maximum: 1, description: 'Default minimum score (detection) / probability (classification) / mask probability (segmentation).' }),
    iou: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Class-wise NMS IoU threshold.' })),
    maxDetections: Type.Optional(Type.Integer({ minimum: 1 })),
  }, strict),
  licence: Type.Object({ spdx: Type.String(), note: Type.Optional(Type.String()) }, strict),
  source: Type.Object({ url: Type.String(), commit: Type.Optional(Type.String()), note: Type.Optional(Type.String()) }, strict),
  metrics: Type.Optional(Type.Record(Type.String(), Type.Record(Type.String(), Type.Number()), { description: 'Dataset name -> metric -> value, written by `vigil models eval`.' })),
}, strict);

export type ModelManifest = Static<typeof ModelManifest>;
export type InputSpec = Static<typeof InputSpec>;
export type DecoderSpec = Static<typeof DecoderSpec>;

/** Checks a parsed model.json; throws VigilError naming the file and every problem. */
export function parseManifest(value: unknown, source: string): ModelManifest {
  const problems = [...Value.Errors(ModelManifest, value)].slice(0, 8).map((e) => `${e.path || '/'}: ${e.message}`);
  if (problems.length > 0) {
    throw new VigilError('VIGIL_ERR_MODEL_MANIFEST', `${source} is not a valid model manifest:\n  ${problems.join('\n  ')}\nFix the file (schema: models/src/manifest.ts).`);
  }
  const m = value as ModelManifest;
  checkDecoderMatchesTask(m, source);
  return m;
}

/** Cross-field check: a decoder only makes sense for its task. */
export function checkDecoderMatchesTask(m: ModelManifest, source: string): void {
  const taskOf: Record<DecoderSpec['type'], ModelManifest['task']> = {
    yolox: 'detect', nanodet: 'detect', centernet: 'detect', yolov8: 'detect', softmax: 'classify', sigmoid: 'classify', 'segmentation-mask': 'segment',
  };
  if (taskOf[m.decoder.type] !== m.task) {
    throw new VigilError('VIGIL_ERR_MODEL_MANIFEST', `${source}: decoder "${m.decoder.type}" decodes ${taskOf[m.decoder.type]} outputs but the task is "${m.task}". Fix task or decoder.type.`);
  }
  if (m.decoder.type === 'nanodet' && (m.decoder.classOutputs.length !== m.decoder.strides.length || m.decoder.boxOutputs.length !== m.decoder.strides.length)) {
    throw new VigilError('VIGIL_ERR_MODEL_MANIFEST', `${source}: nanodet decoder needs one class output and one box output per stride.`);
  }
}
