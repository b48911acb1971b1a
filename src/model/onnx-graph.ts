/**
 * Just enough of the ONNX protobuf format to read a model's graph (nodes, inputs, outputs) and
 * to add nodes to it, on the bytes, in the worker, before onnxruntime sees them. No dependency:
 * a model is a tree of length-delimited fields, and a rewrite re-encodes only the messages on the
 * path to what changed (ModelProto → GraphProto → one NodeProto); every other byte is copied.
 *
 * Field numbers are those of onnx/onnx.proto (ModelProto.graph = 7, GraphProto.node = 1, ...).
 */

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;
const WIRE_FIXED32 = 5;

/** One field of a message: where it is in the buffer, and its payload (bytes) or value (varint). */
export interface Field {
  field: number;
  wire: number;
  /** The whole field, key included: copied as is when the field is kept. */
  raw: Uint8Array;
  /** Length-delimited payload. */
  payload: Uint8Array;
  /** Varint value (int64 read as a signed number; exact for |v| < 2^53). */
  value: number;
}

function readVarint(buf: Uint8Array, pos: number): [number, number] {
  // Split in 32-bit halves so negative int64 (10-byte two's complement) stay exact.
  let lo = 0;
  let hi = 0;
  let shift = 0;
  for (;;) {
    if (pos >= buf.length) throw new OnnxFormatError('truncated varint');
    const b = buf[pos++];
    if (shift < 28) lo |= (b & 0x7f) << shift;
    else if (shift === 28) {
      lo |= (b & 0x0f) << 28;
      hi |= (b & 0x7f) >>> 4;
    } else if (shift < 64) hi |= (b & 0x7f) << (shift - 32);
    shift += 7;
    if (b < 0x80) break;
    if (shift > 70) throw new OnnxFormatError('varint too long');
  }
  return [hi * 0x1_0000_0000 + (lo >>> 0), pos];
}

export class OnnxFormatError extends Error {
  override readonly name = 'OnnxFormatError';
}

/** Splits a message into its fields (not recursive). */
export function readFields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  const empty = buf.subarray(0, 0);
  while (pos < buf.length) {
    const start = pos;
    let key: number;
    [key, pos] = readVarint(buf, pos);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    let payload = empty;
    let value = 0;
    if (wire === WIRE_VARINT) [value, pos] = readVarint(buf, pos);
    else if (wire === WIRE_FIXED64) pos += 8;
    else if (wire === WIRE_FIXED32) pos += 4;
    else if (wire === WIRE_BYTES) {
      let length: number;
      [length, pos] = readVarint(buf, pos);
      if (pos + length > buf.length) throw new OnnxFormatError('truncated field');
      payload = buf.subarray(pos, pos + length);
      pos += length;
    } else throw new OnnxFormatError(`unsupported wire type ${wire}`);
    if (pos > buf.length) throw new OnnxFormatError('truncated field');
    out.push({ field, wire, raw: buf.subarray(start, pos), payload, value });
  }
  return out;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const text = (bytes: Uint8Array) => decoder.decode(bytes);

// ---------------------------------------------------------------------------------------------
// Reading

export interface OnnxNode {
  opType: string;
  name: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  /** Int attributes only (e.g. Concat's `axis`): all the rewrites need. */
  ints: Record<string, number>;
  /** The node's own bytes (NodeProto), to copy it unchanged. */
  raw: Uint8Array;
}

/** A declared dimension: a number, a symbolic name, or null when undeclared. */
export type Dim = number | string | null;

export interface OnnxValueInfo {
  name: string;
  /** TensorProto.DataType (1 float, 7 int64, 10 float16, ...); 0 when not a tensor. */
  elemType: number;
  /** Declared shape, or null when the graph declares none. */
  dims: Dim[] | null;
}

export interface OnnxGraph {
  nodes: OnnxNode[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  /** Names of the initializers (constant tensors). */
  initializers: Set<string>;
}

function readNode(bytes: Uint8Array): OnnxNode {
  const node: OnnxNode = { opType: '', name: '', domain: '', inputs: [], outputs: [], ints: {}, raw: bytes };
  for (const f of readFields(bytes)) {
    if (f.field === 1) node.inputs.push(text(f.payload));
    else if (f.field === 2) node.outputs.push(text(f.payload));
    else if (f.field === 3) node.name = text(f.payload);
    else if (f.field === 4) node.opType = text(f.payload);
    else if (f.field === 7) node.domain = text(f.payload);
    else if (f.field === 5) {
      // AttributeProto: name = 1, i = 3
      let name = '';
      let value: number | undefined;
      for (const a of readFields(f.payload)) {
        if (a.field === 1) name = text(a.payload);
        else if (a.field === 3 && a.wire === WIRE_VARINT) value = a.value;
      }
      if (value !== undefined) node.ints[name] = value;
    }
  }
  return node;
}

function readValueInfo(bytes: Uint8Array): OnnxValueInfo {
  // ValueInfoProto{name=1, type=2} → TypeProto{tensor_type=1} → {elem_type=1, shape=2}
  // → TensorShapeProto{dim=1} → Dimension{dim_value=1 | dim_param=2}
  const info: OnnxValueInfo = { name: '', elemType: 0, dims: null };
  for (const f of readFields(bytes)) {
    if (f.field === 1) info.name = text(f.payload);
    if (f.field !== 2) continue;
    for (const t of readFields(f.payload)) {
      if (t.field !== 1) continue;
      for (const tt of readFields(t.payload)) {
        if (tt.field === 1) info.elemType = tt.value;
        if (tt.field === 2) {
          info.dims = readFields(tt.payload)
            .filter((d) => d.field === 1)
            .map((d) => {
              const v = readFields(d.payload).find((x) => x.field === 1 || x.field === 2);
              return v === undefined ? null : v.field === 1 ? v.value : text(v.payload);
            });
        }
      }
    }
  }
  return info;
}

function initializerName(bytes: Uint8Array): string {
  const name = readFields(bytes).find((f) => f.field === 8);
  return name ? text(name.payload) : '';
}

/** The ModelProto's fields and its graph's. Throws OnnxFormatError for bytes that are no model. */
function splitModel(bytes: Uint8Array): { model: Field[]; graphIndex: number; graph: Field[] } {
  const model = readFields(bytes);
  const graphIndex = model.findIndex((f) => f.field === 7 && f.wire === WIRE_BYTES);
  if (graphIndex < 0) throw new OnnxFormatError('no graph in the model');
  return { model, graphIndex, graph: readFields(model[graphIndex].payload) };
}

export function readGraph(bytes: Uint8Array): OnnxGraph {
  const { graph } = splitModel(bytes);
  const out: OnnxGraph = { nodes: [], inputs: [], outputs: [], initializers: new Set() };
  for (const f of graph) {
    if (f.field === 1) out.nodes.push(readNode(f.payload));
    else if (f.field === 5) out.initializers.add(initializerName(f.payload));
    else if (f.field === 11) out.inputs.push(readValueInfo(f.payload));
    else if (f.field === 12) out.outputs.push(readValueInfo(f.payload));
  }
  // Graph inputs may list initializers too (IR < 4): those are not fed.
  out.inputs = out.inputs.filter((input) => !out.initializers.has(input.name));
  return out;
}

/**
 * The graph inputs each value depends on (through any chain of nodes); initializers and
 * constants contribute nothing. Memoised over the whole graph: one pass per value.
 */
export function inputDependencies(graph: OnnxGraph): (value: string) => ReadonlySet<string> {
  const producer = new Map<string, OnnxNode>();
  for (const node of graph.nodes) for (const output of node.outputs) producer.set(output, node);
  const inputNames = new Set(graph.inputs.map((i) => i.name));
  const memo = new Map<string, Set<string>>();
  const visit = (value: string): Set<string> => {
    const known = memo.get(value);
    if (known) return known;
    const deps = new Set<string>();
    memo.set(value, deps);
    if (inputNames.has(value)) deps.add(value);
    // Iterative over the producer chain would be nicer; graphs here are a few thousand nodes deep at most.
    const node = producer.get(value);
    if (node) for (const input of node.inputs) if (input) for (const d of visit(input)) deps.add(d);
    return deps;
  };
  return visit;
}

// ---------------------------------------------------------------------------------------------
// Writing

function varint(n: number): number[] {
  if (n < 0 || !Number.isInteger(n)) throw new RangeError(`varint of ${n}`);
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const bytesField = (field: number, payload: Uint8Array) =>
  concatBytes([Uint8Array.from(varint(field * 8 + WIRE_BYTES)), Uint8Array.from(varint(payload.length)), payload]);
const stringField = (field: number, value: string) => bytesField(field, encoder.encode(value));
const intField = (field: number, value: number) => Uint8Array.from([...varint(field * 8 + WIRE_VARINT), ...varint(value)]);

/** A NodeProto of the default domain with int attributes. */
export function encodeNode(opType: string, name: string, inputs: string[], outputs: string[], ints: Record<string, number> = {}): Uint8Array {
  const ATTRIBUTE_INT = 2;
  return concatBytes([
    ...inputs.map((s) => stringField(1, s)),
    ...outputs.map((s) => stringField(2, s)),
    stringField(3, name),
    stringField(4, opType),
    // AttributeProto{name=1, i=3, type=20}
    ...Object.entries(ints).map(([key, value]) =>
      bytesField(5, concatBytes([stringField(1, key), intField(3, value), intField(20, ATTRIBUTE_INT)])),
    ),
  ]);
}

/** An int64 TensorProto initializer (dims=1, data_type=2, name=8, raw_data=9). */
export function encodeInt64Tensor(name: string, values: number[]): Uint8Array {
  const INT64 = 7;
  const data = new Uint8Array(values.length * 8);
  const view = new DataView(data.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return concatBytes([intField(1, values.length), intField(2, INT64), stringField(8, name), bytesField(9, data)]);
}

export interface GraphEdit {
  /** Replaces whole nodes, by index in `OnnxGraph.nodes`, with these NodeProto bytes. */
  replaceNodes?: Map<number, Uint8Array[]>;
  /** Initializers (TensorProto bytes) to add. */
  initializers?: Uint8Array[];
  /** Graph inputs / outputs (ValueInfoProto bytes, see encodeValueInfo) to add. */
  inputs?: Uint8Array[];
  outputs?: Uint8Array[];
}

/** A float/int tensor ValueInfoProto; `dims` null declares no shape. */
export function encodeValueInfo(name: string, elemType: number, dims: Dim[] | null = null): Uint8Array {
  const shape = dims && bytesField(2, concatBytes(dims.map((d) => bytesField(1, typeof d === 'number' ? intField(1, d) : stringField(2, d ?? '?')))));
  const tensorType = concatBytes([intField(1, elemType), ...(shape ? [shape] : [])]);
  return concatBytes([stringField(1, name), bytesField(2, bytesField(1, tensorType))]);
}

/**
 * The model with the edit applied. Every field the edit does not name is copied byte for byte
 * (weights, external data references, metadata, opsets), in its original order. A replaced node
 * may become several nodes, in order: ONNX requires a topologically sorted graph.
 */
export function editModel(bytes: Uint8Array, edit: GraphEdit): Uint8Array {
  const { model, graphIndex, graph } = splitModel(bytes);
  const parts: Uint8Array[] = [];
  let nodeIndex = 0;
  for (const f of graph) {
    if (f.field === 1) {
      const replacement = edit.replaceNodes?.get(nodeIndex++);
      if (replacement) {
        for (const node of replacement) parts.push(bytesField(1, node));
        continue;
      }
    }
    parts.push(f.raw);
  }
  for (const tensor of edit.initializers ?? []) parts.push(bytesField(5, tensor));
  for (const info of edit.inputs ?? []) parts.push(bytesField(11, info));
  for (const info of edit.outputs ?? []) parts.push(bytesField(12, info));
  const graphBytes = bytesField(7, concatBytes(parts));
  return concatBytes(model.map((f, i) => (i === graphIndex ? graphBytes : f.raw)));
}
