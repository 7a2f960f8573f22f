import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { VigilError } from '@vigil/contracts';

/** One node of a TF.js graph model (model.json `modelTopology.node[]`), attributes left as TF wrote them. */
export interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttr>;
}

export interface TfAttr {
  s?: string;
  i?: string;
  f?: number;
  b?: boolean;
  type?: string;
  list?: { i?: string[]; s?: string[]; f?: number[] };
  shape?: { dim?: { size: string }[] };
}

/** A decoded weight: TF.js stores float16 / uint8 quantised weights; they are widened here as TF.js does on load. */
export interface TfWeight {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  data: Float32Array | Int32Array;
}

export interface TfGraph {
  nodes: TfNode[];
  weights: Map<string, TfWeight>;
  signature?: unknown;
}

interface WeightEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number; original_dtype?: string };
}

interface ModelJson {
  format?: string;
  modelTopology?: { node?: TfNode[] };
  weightsManifest?: { paths: string[]; weights: WeightEntry[] }[];
  signature?: unknown;
}

/** Reads a TF.js graph model (model.json + its .bin shards) from disk. */
export async function readTfjsGraph(modelJsonPath: string): Promise<TfGraph> {
  let json: ModelJson;
  try {
    json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as ModelJson;
  } catch (err) {
    throw new VigilError('VIGIL_ERR_MODEL_CONVERT', `Cannot read TF.js graph model ${modelJsonPath}: ${(err as Error).message}. Reinstall the package that ships it (npm install).`, { cause: err });
  }
  const nodes = json.modelTopology?.node;
  if (json.format !== 'graph-model' || !nodes || !json.weightsManifest) {
    throw new VigilError('VIGIL_ERR_MODEL_CONVERT', `${modelJsonPath} is not a TF.js graph model (format "${json.format}"); only graph models can be converted.`);
  }
  const weights = new Map<string, TfWeight>();
  for (const group of json.weightsManifest) {
    const shards = await Promise.all(group.paths.map((p) => readFile(join(dirname(modelJsonPath), p))));
    const buffer = Buffer.concat(shards);
    let offset = 0;
    for (const entry of group.weights) {
      const { weight, bytes } = decodeWeight(entry, buffer, offset, modelJsonPath);
      weights.set(entry.name, weight);
      offset += bytes;
    }
    if (offset !== buffer.length) {
      throw new VigilError('VIGIL_ERR_MODEL_CONVERT', `${modelJsonPath}: weight shards hold ${buffer.length} bytes but the manifest describes ${offset}; the .bin file is truncated or from another version. Reinstall the package.`);
    }
  }
  return { nodes, weights, signature: json.signature };
}

function decodeWeight(entry: WeightEntry, buffer: Buffer, offset: number, source: string): { weight: TfWeight; bytes: number } {
  const count = entry.shape.reduce((a, b) => a * b, 1);
  const q = entry.quantization;
  const at = (bytes: number): DataView => {
    if (offset + bytes > buffer.length) {
      throw new VigilError('VIGIL_ERR_MODEL_CONVERT', `${source}: weight ${entry.name} runs past the end of its .bin shard; the file is truncated. Reinstall the package.`);
    }
    return new DataView(buffer.buffer, buffer.byteOffset + offset, bytes);
  };
  if (q?.dtype === 'float16') {
    const view = at(count * 2);
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = halfToFloat(view.getUint16(i * 2, true));
    return { weight: { name: entry.name, shape: entry.shape, dtype: 'float32', data }, bytes: count * 2 };
  }
  if (q?.dtype === 'uint8' || q?.dtype === 'uint16') {
    const width = q.dtype === 'uint8' ? 1 : 2;
    const view = at(count * width);
    const data = new Float32Array(count);
    const scale = q.scale ?? 1;
    const min = q.min ?? 0;
    for (let i = 0; i < count; i++) data[i] = (width === 1 ? view.getUint8(i) : view.getUint16(i * 2, true)) * scale + min;
    const dtype = entry.dtype === 'int32' ? 'int32' : 'float32';
    return { weight: { name: entry.name, shape: entry.shape, dtype, data: dtype === 'int32' ? Int32Array.from(data, Math.round) : data }, bytes: count * width };
  }
  if (entry.dtype === 'float32') {
    const view = at(count * 4);
    const data = new Float32Array(count);
    for (let i = 0; i < count; i++) data[i] = view.getFloat32(i * 4, true);
    return { weight: { name: entry.name, shape: entry.shape, dtype: 'float32', data }, bytes: count * 4 };
  }
  if (entry.dtype === 'int32') {
    const view = at(count * 4);
    const data = new Int32Array(count);
    for (let i = 0; i < count; i++) data[i] = view.getInt32(i * 4, true);
    return { weight: { name: entry.name, shape: entry.shape, dtype: 'int32', data }, bytes: count * 4 };
  }
  throw new VigilError('VIGIL_ERR_MODEL_CONVERT', `${source}: weight ${entry.name} has dtype ${entry.dtype}${q ? ` (quantised ${q.dtype})` : ''}, which the converter does not read yet.`);
}

/** IEEE 754 half -> single precision (TF.js float16 quantisation stores weights this way). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? Number.NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Decoded string attribute (TF.js stores `s` base64-encoded). */
export function attrString(node: TfNode, key: string): string | undefined {
  const s = node.attr?.[key]?.s;
  return s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8');
}

export function attrInts(node: TfNode, key: string): number[] | undefined {
  return node.attr?.[key]?.list?.i?.map(Number);
}

export function attrStrings(node: TfNode, key: string): string[] {
  return (node.attr?.[key]?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
}
