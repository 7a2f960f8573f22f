import { VigilError } from '@vigil/contracts';
import { encodeOnnxModel, type OnnxInitializer, type OnnxNode } from './onnx-proto.js';
import { attrInts, attrString, attrStrings, type TfGraph, type TfNode, type TfWeight } from './tfjs-graph.js';

/**
 * TF.js graph model -> ONNX, for the ops that the models we ship use (see SUPPORTED_OPS). TF graphs
 * are NHWC; the ONNX graph is NCHW inside (what onnxruntime's CPU kernels are fastest at), so
 * weights are transposed once here and per-channel constants are reshaped to [1,C,1,1]. The input
 * stays NHWC by default (one Transpose node), so interleaved pixels can be copied straight in. The batch dimension is left symbolic ("N") so several cameras' frames
 * can go through one run.
 */
export interface ConvertOptions {
  /**
   * The graph's Placeholder and the ONNX input name to give it. layout NHWC (default) keeps TF's
   * input layout and transposes inside the graph, so callers can copy interleaved pixels straight in;
   * NCHW exposes a planar input.
   */
  input: { tf: string; onnx: string; layout?: 'NHWC' | 'NCHW' };
  /** Tensors to expose; the graph is cut after them (nodes they do not depend on are dropped). */
  outputs: { tf: string; onnx: string }[];
  producer?: string;
  doc?: string;
  metadata?: Record<string, string>;
}

export interface ConvertResult {
  onnx: Uint8Array;
  /** Op type -> count over the converted (cut) part of the graph. */
  ops: Record<string, number>;
  inputShape: (number | string)[];
  outputShapes: Record<string, (number | string)[]>;
}

export const SUPPORTED_OPS = [
  'Placeholder', 'Const', 'Identity', '_FusedConv2D', 'Conv2D', 'FusedDepthwiseConv2dNative', 'DepthwiseConv2dNative',
  'Add', 'AddV2', 'Sub', 'Mul', 'Relu', 'Relu6', 'Sigmoid', 'Mean', 'ResizeBilinear', 'ConcatV2',
] as const;

const OPSET = 13;
const INPUT_NCHW = '__input_nchw';
/** NHWC axis -> NCHW axis. */
const AXIS_TO_NCHW = [0, 2, 3, 1];

export function convertTfjsGraph(graph: TfGraph, options: ConvertOptions): ConvertResult {
  return new GraphConverter(graph, options).run();
}

class GraphConverter {
  private readonly byName = new Map<string, TfNode>();
  private readonly nodes: OnnxNode[] = [];
  private readonly initializers = new Map<string, OnnxInitializer>();
  /** TF tensor name -> NHWC shape (batch 1) for the activations, used for resize scales and conv output sizes. */
  private readonly shapes = new Map<string, number[]>();
  private readonly ops: Record<string, number> = {};

  constructor(private readonly graph: TfGraph, private readonly options: ConvertOptions) {
    for (const n of graph.nodes) this.byName.set(n.name, n);
  }

  run(): ConvertResult {
    const order = this.topologicalOrderFor(this.options.outputs.map((o) => tensorNode(o.tf)));
    const unsupported = [...new Set(order.map((n) => n.op).filter((op) => !(SUPPORTED_OPS as readonly string[]).includes(op)))];
    if (unsupported.length > 0) {
      throw new VigilError('VIGIL_ERR_MODEL_CONVERT', `The TF.js graph uses ops the converter does not translate: ${unsupported.join(', ')}. Cut the graph before them (ConvertOptions.outputs) or add them to models/src/convert/tfjs-to-onnx.ts.`);
    }
    const placeholder = this.byName.get(this.options.input.tf);
    if (!placeholder || placeholder.op !== 'Placeholder') {
      throw new VigilError('VIGIL_ERR_MODEL_CONVERT', `Input ${this.options.input.tf} is not a Placeholder of this graph.`);
    }
    const dims = (placeholder.attr?.['shape']?.shape?.dim ?? []).map((d) => Number(d.size));
    if (dims.length !== 4 || dims.slice(1).some((d) => !(d > 0))) {
      throw new VigilError('VIGIL_ERR_MODEL_CONVERT', `Input ${placeholder.name} must be a fixed-size NHWC image tensor; its shape is [${dims.join(',')}].`);
    }
    const [, h, w, c] = dims as [number, number, number, number];
    this.shapes.set(placeholder.name, [1, h, w, c]);
    const nhwcInput = (this.options.input.layout ?? 'NHWC') === 'NHWC';
    if (nhwcInput) this.nodes.push({ op: 'Transpose', name: INPUT_NCHW, inputs: [this.options.input.onnx], outputs: [INPUT_NCHW], attrs: { perm: [0, 3, 1, 2] } });
    for (const node of order) {
      if (node.op === 'Const' || node.op === 'Placeholder') continue;
      this.ops[node.op] = (this.ops[node.op] ?? 0) + 1;
      this.translate(node);
    }
    const outputShapes: Record<string, (number | string)[]> = {};
    const outputs = this.options.outputs.map((o) => {
      const s = this.shapeOf(o.tf);
      const nchw: (number | string)[] = ['N', s[3]!, s[1]!, s[2]!];
      outputShapes[o.onnx] = nchw;
      this.nodes.push({ op: 'Identity', name: `output/${o.onnx}`, inputs: [this.ref(o.tf)], outputs: [o.onnx] });
      return { name: o.onnx, dims: nchw };
    });
    const inputShape: (number | string)[] = nhwcInput ? ['N', h, w, c] : ['N', c, h, w];
    const onnx = encodeOnnxModel({
      name: 'converted-from-tfjs',
      nodes: this.nodes,
      initializers: [...this.initializers.values()],
      inputs: [{ name: this.options.input.onnx, dims: inputShape }],
      outputs,
      opset: OPSET,
      producer: this.options.producer ?? 'vigil-tfjs-to-onnx',
      doc: this.options.doc ?? '',
      ...(this.options.metadata ? { metadata: this.options.metadata } : {}),
    });
    return { onnx, ops: this.ops, inputShape, outputShapes };
  }

  private topologicalOrderFor(targets: string[]): TfNode[] {
    const order: TfNode[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (name: string): void => {
      const s = state.get(name);
      if (s === 'done') return;
      if (s === 'visiting') throw new VigilError('VIGIL_ERR_MODEL_CONVERT', `The TF.js graph has a cycle through ${name}.`);
      const node = this.byName.get(name);
      if (!node) throw new VigilError('VIGIL_ERR_MODEL_CONVERT', `The TF.js graph has no node named ${name}.`);
      state.set(name, 'visiting');
      for (const input of node.input ?? []) if (!input.startsWith('^')) visit(tensorNode(input));
      state.set(name, 'done');
      order.push(node);
    };
    for (const t of targets) visit(t);
    return order;
  }

  private translate(node: TfNode): void {
    const inputs = (node.input ?? []).filter((i) => !i.startsWith('^'));
    switch (node.op) {
      case 'Identity':
        this.emit(node, 'Identity', [this.ref(inputs[0]!)]);
        this.shapes.set(node.name, this.shapeOf(inputs[0]!));
        return;
      case 'Relu':
      case 'Sigmoid':
        this.emit(node, node.op, [this.ref(inputs[0]!)]);
        this.shapes.set(node.name, this.shapeOf(inputs[0]!));
        return;
      case 'Relu6':
        this.emit(node, 'Clip', [this.ref(inputs[0]!), this.scalar(0), this.scalar(6)]);
        this.shapes.set(node.name, this.shapeOf(inputs[0]!));
        return;
      case 'Add':
      case 'AddV2':
      case 'Sub':
      case 'Mul':
        this.elementwise(node, inputs);
        return;
      case 'Conv2D':
      case '_FusedConv2D':
      case 'DepthwiseConv2dNative':
      case 'FusedDepthwiseConv2dNative':
        this.convolution(node, inputs);
        return;
      case 'Mean':
        this.mean(node, inputs);
        return;
      case 'ResizeBilinear':
        this.resizeBilinear(node, inputs);
        return;
      case 'ConcatV2':
        this.concat(node, inputs);
        return;
      default:
        throw new VigilError('VIGIL_ERR_MODEL_CONVERT', `No translation for ${node.op} (${node.name}).`);
    }
  }

  private elementwise(node: TfNode, inputs: string[]): void {
    const op = node.op === 'AddV2' ? 'Add' : node.op;
    const operands = inputs.map((i) => (this.isConst(i) ? this.constOperand(i) : this.ref(i)));
    this.emit(node, op, operands);
    const shapes = inputs.map((i) => (this.isConst(i) ? this.weight(i).shape : this.shapeOf(i)));
    this.shapes.set(node.name, broadcast(shapes, node.name));
  }

  private convolution(node: TfNode, inputs: string[]): void {
    if ((attrString(node, 'data_format') ?? 'NHWC') !== 'NHWC') throw this.unsupported(node, 'data_format other than NHWC');
    const depthwise = node.op.includes('Depthwise');
    const fused = attrStrings(node, 'fused_ops');
    const [x, filterName, biasName] = inputs as [string, string, string | undefined];
    if (fused.length > 0 && fused[0] !== 'BiasAdd') throw this.unsupported(node, `fused ops ${fused.join('+')}`);
    if (fused.length > 2 || (fused[1] !== undefined && fused[1] !== 'Relu' && fused[1] !== 'Relu6')) throw this.unsupported(node, `fused ops ${fused.join('+')}`);
    const filter = this.weight(filterName);
    const [kh, kw, cin, cout] = filter.shape as [number, number, number, number];
    const strides = attrInts(node, 'strides') ?? [1, 1, 1, 1];
    const dilations = attrInts(node, 'dilations') ?? [1, 1, 1, 1];
    const padding = attrString(node, 'padding') ?? 'VALID';
    if (padding !== 'SAME' && padding !== 'VALID') throw this.unsupported(node, `padding ${padding}`);
    const weightName = `${filterName}/oihw`;
    let group = 1;
    if (depthwise) {
      // TF depthwise filter [kh,kw,C,M] -> ONNX grouped conv [C*M,1,kh,kw]; output channel c*M+m in both.
      group = cin;
      this.addInitializer(weightName, [cin * cout, 1, kh, kw], transposeFilter(filter.data as Float32Array, kh, kw, cin * cout, 1, (o, _i, y, xx) => y * kw * cin * cout + xx * cin * cout + o));
    } else {
      this.addInitializer(weightName, [cout, cin, kh, kw], transposeFilter(filter.data as Float32Array, kh, kw, cout, cin, (o, i, y, xx) => ((y * kw + xx) * cin + i) * cout + o));
    }
    const convInputs = [this.ref(x), weightName];
    if (fused[0] === 'BiasAdd') {
      if (!biasName) throw this.unsupported(node, 'BiasAdd without a bias input');
      const bias = this.weight(biasName);
      this.addInitializer(biasName, [bias.data.length], bias.data as Float32Array);
      convInputs.push(biasName);
    }
    const attrs: Record<string, number[] | string | number> = {
      kernel_shape: [kh, kw],
      strides: [strides[1]!, strides[2]!],
      dilations: [dilations[1]!, dilations[2]!],
      group,
    };
    // TF's SAME puts the odd padding pixel at the end, which is ONNX's SAME_UPPER.
    attrs['auto_pad'] = padding === 'SAME' ? 'SAME_UPPER' : 'VALID';
    const activation = fused[1];
    const convOut = activation ? `${node.name}/conv` : node.name;
    this.nodes.push({ op: 'Conv', name: convOut, inputs: convInputs, outputs: [convOut], attrs });
    if (activation === 'Relu') this.nodes.push({ op: 'Relu', name: node.name, inputs: [convOut], outputs: [node.name] });
    if (activation === 'Relu6') this.nodes.push({ op: 'Clip', name: node.name, inputs: [convOut, this.scalar(0), this.scalar(6)], outputs: [node.name] });
    const [n, h, w] = this.shapeOf(x) as [number, number, number];
    const out = (size: number, k: number, s: number, d: number): number => (padding === 'SAME' ? Math.ceil(size / s) : Math.ceil((size - (k - 1) * d) / s));
    this.shapes.set(node.name, [n, out(h, kh, strides[1]!, dilations[1]!), out(w, kw, strides[2]!, dilations[2]!), depthwise ? cin * cout : cout]);
  }

  private mean(node: TfNode, inputs: string[]): void {
    if (node.attr?.['keep_dims']?.b !== true) throw this.unsupported(node, 'keep_dims=false (the NCHW layout needs rank 4 throughout)');
    const axes = [...this.weight(inputs[1]!).data].map((a) => (a < 0 ? a + 4 : a));
    this.nodes.push({ op: 'ReduceMean', name: node.name, inputs: [this.ref(inputs[0]!)], outputs: [node.name], attrs: { axes: axes.map((a) => AXIS_TO_NCHW[a]!), keepdims: 1 } });
    this.shapes.set(node.name, this.shapeOf(inputs[0]!).map((d, i) => (axes.includes(i) ? 1 : d)));
  }

  private resizeBilinear(node: TfNode, inputs: string[]): void {
    const [oh, ow] = [...this.weight(inputs[1]!).data] as [number, number];
    const [n, h, w, c] = this.shapeOf(inputs[0]!) as [number, number, number, number];
    const alignCorners = node.attr?.['align_corners']?.b === true;
    const halfPixel = node.attr?.['half_pixel_centers']?.b === true;
    // TF's legacy resize (neither flag) samples at dst * in/out: ONNX "asymmetric".
    const mode = alignCorners ? 'align_corners' : halfPixel ? 'half_pixel' : 'asymmetric';
    const scalesName = `${node.name}/scales`;
    this.addInitializer(scalesName, [4], new Float32Array([1, 1, oh / h, ow / w]));
    this.nodes.push({ op: 'Resize', name: node.name, inputs: [this.ref(inputs[0]!), '', scalesName], outputs: [node.name], attrs: { mode: 'linear', coordinate_transformation_mode: mode } });
    this.shapes.set(node.name, [n, oh, ow, c]);
  }

  private concat(node: TfNode, inputs: string[]): void {
    const parts = inputs.slice(0, -1);
    let axis = Number(this.weight(inputs[inputs.length - 1]!).data[0]);
    if (axis < 0) axis += 4;
    this.nodes.push({ op: 'Concat', name: node.name, inputs: parts.map((p) => this.ref(p)), outputs: [node.name], attrs: { axis: AXIS_TO_NCHW[axis]! } });
    const shapes = parts.map((p) => this.shapeOf(p));
    const out = [...shapes[0]!];
    out[axis] = shapes.reduce((sum, s) => sum + s[axis]!, 0);
    this.shapes.set(node.name, out);
  }

  private emit(node: TfNode, op: string, inputs: string[]): void {
    this.nodes.push({ op, name: node.name, inputs, outputs: [node.name] });
  }

  /** A constant used by an elementwise op: scalars stay scalars, per-channel vectors become [1,C,1,1]. */
  private constOperand(name: string): string {
    const w = this.weight(name);
    const onnxName = `${tensorNode(name)}/nchw`;
    if (this.initializers.has(onnxName)) return onnxName;
    const data = w.data instanceof Float32Array ? w.data : Float32Array.from(w.data);
    if (w.shape.length === 0 || data.length === 1) {
      this.addInitializer(onnxName, [], Float32Array.of(data[0]!));
      return onnxName;
    }
    const padded = [...new Array<number>(4 - w.shape.length).fill(1), ...w.shape];
    if (padded[1] !== 1 || padded[2] !== 1) throw new VigilError('VIGIL_ERR_MODEL_CONVERT', `Constant ${name} of shape [${w.shape.join(',')}] varies over H/W; only scalars and per-channel constants are translated.`);
    this.addInitializer(onnxName, [padded[0]!, padded[3]!, 1, 1], data);
    return onnxName;
  }

  private scalar(value: number): string {
    const name = `__scalar_${value}`;
    if (!this.initializers.has(name)) this.addInitializer(name, [], Float32Array.of(value));
    return name;
  }

  private addInitializer(name: string, dims: number[], data: Float32Array): void {
    this.initializers.set(name, { name, dims, data });
  }

  private isConst(tensor: string): boolean {
    return this.byName.get(tensorNode(tensor))?.op === 'Const';
  }

  private weight(tensor: string): TfWeight {
    const name = tensorNode(tensor);
    const w = this.graph.weights.get(name);
    if (!w) throw new VigilError('VIGIL_ERR_MODEL_CONVERT', `Constant ${name} has no weights in the .bin shards (only weight-backed constants are supported).`);
    return w;
  }

  private ref(tensor: string): string {
    const [name, index] = tensor.split(':');
    if (index !== undefined && index !== '0') throw new VigilError('VIGIL_ERR_MODEL_CONVERT', `Tensor ${tensor}: only the first output of a node is translated.`);
    if (this.isConst(name!)) throw new VigilError('VIGIL_ERR_MODEL_CONVERT', `Constant ${name} used as an activation input; not translated.`);
    if (name !== this.options.input.tf) return name!;
    return (this.options.input.layout ?? 'NHWC') === 'NHWC' ? INPUT_NCHW : this.options.input.onnx;
  }

  private shapeOf(tensor: string): number[] {
    const s = this.shapes.get(tensorNode(tensor));
    if (!s) throw new VigilError('VIGIL_ERR_MODEL_CONVERT', `No shape known for ${tensor}.`);
    return s;
  }

  private unsupported(node: TfNode, what: string): VigilError {
    return new VigilError('VIGIL_ERR_MODEL_CONVERT', `${node.op} ${node.name}: ${what} is not translated to ONNX.`);
  }
}

function tensorNode(tensor: string): string {
  return tensor.replace(/^\^/, '').split(':')[0]!;
}

function broadcast(shapes: number[][], name: string): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    const padded = [...new Array<number>(rank - s.length).fill(1), ...s];
    padded.forEach((d, i) => {
      if (d !== 1 && out[i] !== 1 && out[i] !== d) throw new VigilError('VIGIL_ERR_MODEL_CONVERT', `${name}: shapes ${shapes.map((x) => `[${x.join(',')}]`).join(' and ')} do not broadcast.`);
      if (d !== 1) out[i] = d;
    });
  }
  if (out.length !== 4) throw new VigilError('VIGIL_ERR_MODEL_CONVERT', `${name}: only rank-4 activations are translated (got rank ${out.length}).`);
  return out;
}

function transposeFilter(src: Float32Array, kh: number, kw: number, outCh: number, inCh: number, srcIndex: (o: number, i: number, y: number, x: number) => number): Float32Array {
  const dst = new Float32Array(outCh * inCh * kh * kw);
  let k = 0;
  for (let o = 0; o < outCh; o++) for (let i = 0; i < inCh; i++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) dst[k++] = src[srcIndex(o, i, y, x)]!;
  return dst;
}
