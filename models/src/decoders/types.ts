/** An output tensor as decoders see it: onnxruntime's Tensor satisfies this, and tests build them by hand. */
export interface OutputTensor {
  data: Float32Array;
  dims: readonly number[];
}

export type Outputs = Record<string, OutputTensor>;

/** A detection in model-input pixels, before NMS and before mapping back to the source image. */
export interface Candidate {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
  classIndex: number;
}

/** Turns one image's raw detector outputs (batch position `b`) into scored boxes above `minScore`. */
export interface DetectionDecoder {
  readonly outputNames: readonly string[];
  decode(outputs: Outputs, b: number, minScore: number): Candidate[];
}

export function requireOutput(outputs: Outputs, name: string): OutputTensor {
  const t = outputs[name];
  if (!t) throw new Error(`decoder: model output "${name}" is missing (outputs: ${Object.keys(outputs).join(', ')}). Fix decoder output names in model.json.`);
  return t;
}
