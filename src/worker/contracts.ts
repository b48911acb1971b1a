/**
 * Adapters between the two families of SAM 2 ONNX exports (see the README's "Model contracts")
 * and one internal shape: encoder → three embedding tensors; decoder → 3 candidate logits at
 * 256x256 plus their predicted IoUs. Inputs and outputs are mapped by NAME: the family is
 * recognised by them when the manifest does not say, decoder inputs the graph does not declare
 * are not fed, and a session that lacks a required tensor, or whose declared geometry is not
 * SAM 2's (1024 input, 256 low-res masks), is rejected with a `model-contract` error before it
 * is ever run.
 */
import type * as ort from 'onnxruntime-web/wasm';
import { Sam2Error } from '../errors.js';
import { PointLabel, encodePrompts, normalizeBox, type Prompts } from '../geometry/prompts.js';
import { imageToModel, LOW_RES_SIZE, MODEL_SIZE } from '../geometry/model-frame.js';
import type { ModelContract } from '../model/manifest.js';

type OrtModule = typeof ort;

/** Image embeddings in a fixed order: [high_res_feats_0, high_res_feats_1, image_embed]. */
export type Embeddings = [ort.Tensor, ort.Tensor, ort.Tensor];

export interface DecoderOutput {
  /** candidate-major 3×256×256 logits */
  logits: Float32Array;
  scores: number[];
}

export interface ContractAdapter {
  check(encoder: ort.InferenceSession, decoder: ort.InferenceSession): void;
  encoderFeeds(image: ort.Tensor): Record<string, ort.Tensor>;
  embeddings(outputs: ort.InferenceSession.OnnxValueMapType): Embeddings;
  decoderFeeds(
    embeddings: Embeddings,
    prompts: Prompts,
    width: number,
    height: number,
    maskInput: Float32Array | null,
  ): Record<string, ort.Tensor>;
  decoderOutput(outputs: ort.InferenceSession.OnnxValueMapType): DecoderOutput;
  /** Whether `mask_input` refinement is supported by this export. */
  readonly refines: boolean;
}

/** Options of the onnx-community adapter, read from the decoder graph when it was loaded. */
export interface DecoderGraphFacts {
  /**
   * The graph's box Concat was rewritten (decoder-graph.ts), so an empty `input_boxes` adds no
   * token and the element appends SAM 2's padding point to points-only prompts itself.
   */
  emptyBoxSafe: boolean;
}

/** The family of an export, from the manifest or else from its tensor names. */
export function detectContract(encoder: ort.InferenceSession, declared: ModelContract | undefined): ModelContract {
  if (declared) return declared;
  if (encoder.inputNames.includes('pixel_values')) return 'onnx-community';
  if (encoder.inputNames.includes('image')) return 'samexporter';
  throw new Sam2Error(
    'model-contract',
    `The encoder is not a SAM 2 export this element knows: it needs an input "pixel_values" (onnx-community) or "image" ` +
      `(samexporter), and has ${encoder.inputNames.join(', ')}`,
  );
}

type Metadata = ort.InferenceSession['inputMetadata'][number];
const declaredShape = (list: readonly Metadata[] | undefined, name: string): ReadonlyArray<number | string> | null => {
  const entry = list?.find((m) => m.name === name);
  return entry && entry.isTensor && entry.shape.length ? entry.shape : null;
};

/**
 * Model geometry as the graphs declare it. SAM 2 and EdgeTAM take 1024x1024 images and give
 * 256x256 masks; other exports (SAM 3's tracker: 1008 / 288) would be mis-scaled by every
 * coordinate and mask transform here, so they are refused with what they declare.
 */
function checkGeometry(session: ort.InferenceSession, role: string, name: string, size: number, io: 'input' | 'output') {
  const shape = declaredShape(io === 'input' ? session.inputMetadata : session.outputMetadata, name);
  if (!shape) return;
  const [h, w] = shape.slice(-2);
  const wrong = [h, w].some((d) => typeof d === 'number' && d !== size);
  if (wrong) {
    throw new Sam2Error(
      'model-contract',
      `The ${role}'s ${io} "${name}" is declared [${shape.join(',')}]: this element runs SAM 2 geometry ` +
        `(${MODEL_SIZE}x${MODEL_SIZE} input, ${LOW_RES_SIZE}x${LOW_RES_SIZE} masks), not ${String(h)}x${String(w)}`,
    );
  }
}

function requireNames(session: ort.InferenceSession, role: string, inputs: string[], outputs: string[]) {
  const missingIn = inputs.filter((name) => !session.inputNames.includes(name));
  const missingOut = outputs.filter((name) => !session.outputNames.includes(name));
  if (missingIn.length || missingOut.length) {
    throw new Sam2Error(
      'model-contract',
      `The ${role} does not match the expected SAM 2 contract: missing ` +
        [...missingIn.map((n) => `input "${n}"`), ...missingOut.map((n) => `output "${n}"`)].join(', ') +
        ` (it has inputs ${session.inputNames.join(', ')}; outputs ${session.outputNames.join(', ')})`,
    );
  }
}

const EMBEDDING_SHAPES = [
  [1, 32, 256, 256],
  [1, 64, 128, 128],
  [1, 256, 64, 64],
];

function checkEmbeddings(tensors: Array<ort.Tensor | undefined>): Embeddings {
  tensors.forEach((tensor, i) => {
    const expected = EMBEDDING_SHAPES[i];
    if (!tensor || tensor.dims.length !== 4 || tensor.dims.some((d, k) => d !== expected[k])) {
      throw new Sam2Error(
        'model-contract',
        `Encoder output ${i} has shape [${tensor?.dims.join(',')}], expected [${expected.join(',')}]`,
      );
    }
  });
  return tensors as Embeddings;
}

function candidates(masks: ort.Tensor, scores: ort.Tensor): DecoderOutput {
  const logits = masks.data as Float32Array;
  const count = logits.length / (LOW_RES_SIZE * LOW_RES_SIZE);
  if (!Number.isInteger(count) || count < 1 || masks.dims.at(-1) !== LOW_RES_SIZE) {
    throw new Sam2Error('model-contract', `Decoder masks have shape [${masks.dims.join(',')}], expected [..,256,256]`);
  }
  return { logits, scores: Array.from(scores.data as Float32Array).slice(0, count) };
}

function samexporter(ortModule: OrtModule): ContractAdapter {
  const { Tensor } = ortModule;
  const DECODER_INPUTS = [
    'image_embed',
    'high_res_feats_0',
    'high_res_feats_1',
    'point_coords',
    'point_labels',
    'mask_input',
    'has_mask_input',
  ];
  const emptyMask = new Float32Array(LOW_RES_SIZE * LOW_RES_SIZE);
  return {
    refines: true,
    check(encoder, decoder) {
      requireNames(encoder, 'encoder', ['image'], ['high_res_feats_0', 'high_res_feats_1', 'image_embed']);
      requireNames(decoder, 'decoder', DECODER_INPUTS, ['masks', 'iou_predictions']);
      checkGeometry(encoder, 'encoder', 'image', MODEL_SIZE, 'input');
      checkGeometry(decoder, 'decoder', 'masks', LOW_RES_SIZE, 'output');
    },
    encoderFeeds: (image) => ({ image }),
    embeddings: (out) => checkEmbeddings([out.high_res_feats_0, out.high_res_feats_1, out.image_embed]),
    decoderFeeds([hr0, hr1, embed], prompts, width, height, maskInput) {
      const { coords, labels, count } = encodePrompts(prompts, width, height);
      return {
        image_embed: embed,
        high_res_feats_0: hr0,
        high_res_feats_1: hr1,
        point_coords: new Tensor('float32', coords, [1, count, 2]),
        point_labels: new Tensor('float32', labels, [1, count]),
        mask_input: new Tensor('float32', maskInput ?? emptyMask, [1, 1, LOW_RES_SIZE, LOW_RES_SIZE]),
        has_mask_input: new Tensor('float32', new Float32Array([maskInput ? 1 : 0]), [1]),
      };
    },
    decoderOutput: (out) => candidates(out.masks, out.iou_predictions),
  };
}

function onnxCommunity(ortModule: OrtModule, facts: DecoderGraphFacts): ContractAdapter {
  const { Tensor } = ortModule;
  const EMBEDDINGS = ['image_embeddings.0', 'image_embeddings.1', 'image_embeddings.2'];
  let boxInput = true;
  return {
    refines: false,
    check(encoder, decoder) {
      requireNames(encoder, 'encoder', ['pixel_values'], EMBEDDINGS);
      requireNames(decoder, 'decoder', ['input_points', 'input_labels', ...EMBEDDINGS], ['iou_scores', 'pred_masks']);
      checkGeometry(encoder, 'encoder', 'pixel_values', MODEL_SIZE, 'input');
      checkGeometry(decoder, 'decoder', 'pred_masks', LOW_RES_SIZE, 'output');
      boxInput = decoder.inputNames.includes('input_boxes');
    },
    encoderFeeds: (image) => ({ pixel_values: image }),
    embeddings: (out) => checkEmbeddings(EMBEDDINGS.map((name) => out[name])),
    decoderFeeds([e0, e1, e2], prompts, width, height) {
      const { points, boxes } = onnxCommunityPrompts(prompts, width, height, { boxInput, emptyBoxSafe: facts.emptyBoxSafe });
      const feeds: Record<string, ort.Tensor> = {
        input_points: new Tensor('float32', new Float32Array(points.flatMap((p) => [p.x, p.y])), [1, 1, points.length, 2]),
        input_labels: new Tensor('int64', BigInt64Array.from(points, (p) => BigInt(p.label)), [1, 1, points.length]),
        'image_embeddings.0': e0,
        'image_embeddings.1': e1,
        'image_embeddings.2': e2,
      };
      if (boxInput) feeds.input_boxes = new Tensor('float32', new Float32Array(boxes), [1, boxes.length / 4, 4]);
      return feeds;
    },
    decoderOutput: (out) => candidates(out.pred_masks, out.iou_scores),
  };
}

/** SAM 2's padding point: label -1 becomes the "not a point" token, whatever its coordinates. */
const PADDING = { x: 0, y: 0, label: -1 };

/**
 * The prompt rows of an onnx-community decoder, so that the decoder sees exactly SAM 2's tokens:
 * - with a box: the clicks (none for box-only: no extra token) and the box, whose three tokens
 *   (two corners and a padding token) are the graph's;
 * - points only, with a box input made safe for an empty box (decoder-graph.ts): the clicks, SAM
 *   2's padding point, and no box (`input_boxes` [1,0,4]);
 * - a graph without `input_boxes` (traced without a box, so it pads by itself): the box as two
 *   labelled corners first (the official predictor's order), then the clicks, no padding.
 * A graph with a box input that could not be made safe gets the padding point too: its empty
 * box then still adds onnxruntime's 3 uninitialised rows, which nothing fed can avoid.
 */
export function onnxCommunityPrompts(
  prompts: Prompts,
  width: number,
  height: number,
  graph: { boxInput: boolean; emptyBoxSafe: boolean },
): { points: Array<{ x: number; y: number; label: number }>; boxes: number[] } {
  const clicks = prompts.points.map((p) => ({ ...imageToModel(p, width, height), label: p.label as number }));
  const box = prompts.box && normalizeBox(prompts.box);
  const a = box && imageToModel({ x: box.x1, y: box.y1 }, width, height);
  const b = box && imageToModel({ x: box.x2, y: box.y2 }, width, height);
  if (!graph.boxInput) {
    const corners = a && b ? [{ ...a, label: PointLabel.BoxTopLeft as number }, { ...b, label: PointLabel.BoxBottomRight as number }] : [];
    return { points: [...corners, ...clicks], boxes: [] };
  }
  if (a && b) return { points: clicks, boxes: [a.x, a.y, b.x, b.y] };
  return { points: [...clicks, PADDING], boxes: [] };
}

export function contractAdapter(contract: ModelContract, ortModule: OrtModule, facts: DecoderGraphFacts = { emptyBoxSafe: false }): ContractAdapter {
  return contract === 'onnx-community' ? onnxCommunity(ortModule, facts) : samexporter(ortModule);
}

export { MODEL_SIZE };
