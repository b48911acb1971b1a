// The parts of onnx/onnx.proto (field numbers as published there) that the bench converters read
// and write, for protobufjs (already installed: onnxruntime-web depends on it). Fields left out
// are ones these exports don't use (sparse initializers, training info, functions).
import protobuf from 'protobufjs';

const PROTO = `syntax = "proto2"; package onnx;
message StringStringEntryProto { optional string key = 1; optional string value = 2; }
message OperatorSetIdProto { optional string domain = 1; optional int64 version = 2; }
message AttributeProto {
  optional string name = 1; optional string ref_attr_name = 21; optional string doc_string = 13; optional int32 type = 20;
  optional float f = 2; optional int64 i = 3; optional bytes s = 4; optional TensorProto t = 5; optional GraphProto g = 6;
  repeated float floats = 7; repeated int64 ints = 8; repeated bytes strings = 9; repeated TensorProto tensors = 10; repeated GraphProto graphs = 11;
}
message ValueInfoProto { optional string name = 1; optional TypeProto type = 2; optional string doc_string = 3; }
message NodeProto {
  repeated string input = 1; repeated string output = 2; optional string name = 3; optional string op_type = 4;
  optional string domain = 7; repeated AttributeProto attribute = 5; optional string doc_string = 6;
}
message ModelProto {
  optional int64 ir_version = 1; repeated OperatorSetIdProto opset_import = 8; optional string producer_name = 2;
  optional string producer_version = 3; optional string domain = 4; optional int64 model_version = 5;
  optional string doc_string = 6; optional GraphProto graph = 7; repeated StringStringEntryProto metadata_props = 14;
}
message GraphProto {
  repeated NodeProto node = 1; optional string name = 2; repeated TensorProto initializer = 5; optional string doc_string = 10;
  repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12; repeated ValueInfoProto value_info = 13;
}
message TensorProto {
  repeated int64 dims = 1; optional int32 data_type = 2; repeated float float_data = 4 [packed = true];
  repeated int32 int32_data = 5 [packed = true]; repeated bytes string_data = 6; repeated int64 int64_data = 7 [packed = true];
  optional string name = 8; optional string doc_string = 12; optional bytes raw_data = 9;
  repeated StringStringEntryProto external_data = 13; optional int32 data_location = 14;
  repeated double double_data = 10 [packed = true]; repeated uint64 uint64_data = 11 [packed = true];
}
message TensorShapeProto { message Dimension { optional int64 dim_value = 1; optional string dim_param = 2; optional string denotation = 3; } repeated Dimension dim = 1; }
message TypeProto { message Tensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; } optional Tensor tensor_type = 1; optional string denotation = 6; }
`;

const root = protobuf.parse(PROTO, { keepCase: true }).root;
export const ModelProto = root.lookupType('onnx.ModelProto');

/** TensorProto.DataType values used here. */
export const FLOAT = 1;
export const UINT8 = 2;
export const INT64 = 7;
/** AttributeProto.AttributeType values used here. */
export const ATTR_INT = 2;

export const decodeModel = (bytes) => ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, bytes: Uint8Array, defaults: false, arrays: true });
export const encodeModel = (model) => ModelProto.encode(ModelProto.fromObject(model)).finish();

/**
 * The float32 values of an initializer, wherever they are: `raw_data`, `float_data`, or an
 * external data file (`readExternal(location)` returns that file's bytes).
 */
export function floatValues(tensor, readExternal) {
  if (tensor.data_type !== FLOAT) throw new Error(`${tensor.name}: not float32 (data_type ${tensor.data_type})`);
  const count = (tensor.dims ?? []).reduce((a, b) => a * b, 1);
  let bytes;
  if (tensor.data_location === 1 || tensor.external_data?.length) {
    const entry = Object.fromEntries(tensor.external_data.map(({ key, value }) => [key, value]));
    const file = readExternal(entry.location);
    const offset = Number(entry.offset ?? 0);
    bytes = file.subarray(offset, offset + Number(entry.length ?? count * 4));
  } else if (tensor.raw_data?.length) {
    bytes = tensor.raw_data;
  } else {
    return Float32Array.from(tensor.float_data ?? []);
  }
  if (bytes.length !== count * 4) throw new Error(`${tensor.name}: ${bytes.length} bytes for ${count} floats`);
  // A copy (Buffer#slice is a view, possibly into a shared pool, at any alignment).
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

/** The same initializer with its data inline (raw_data), for a single-file model. */
export function inlineTensor(tensor, readExternal) {
  if (!(tensor.data_location === 1 || tensor.external_data?.length)) return tensor;
  const { external_data, data_location, ...rest } = tensor;
  if (tensor.data_type !== FLOAT) throw new Error(`${tensor.name}: only float32 external data is read here`);
  return { ...rest, raw_data: new Uint8Array(floatValues(tensor, readExternal).buffer) };
}
