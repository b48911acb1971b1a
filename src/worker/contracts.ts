/**
 * Adapters between the two families of SAM 2 ONNX exports (see the README's "Model contracts")
 * and one internal shape: encoder → three embedding tensors; decoder → 3 candidate logits at
 * 256x256 plus their predicted IoUs. Inputs and outputs are mapped by NAME, and a session that
 * lacks a required tensor is rejected with a `model-contract` error before it is ever run.
 */
import type * as ort from 'onnxruntime-web/wasm';
import { Sam2Error } from '../errors.js';
import { encodePrompts, normalizeBox, type Prompts } from '../geometry/prompts.js';
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

function onnxCommunity(ortModule: OrtModule): ContractAdapter {
  const { Tensor } = ortModule;
  const EMBEDDINGS = ['image_embeddings.0', 'image_embeddings.1', 'image_embeddings.2'];
  return {
    refines: false,
    check(encoder, decoder) {
      requireNames(encoder, 'encoder', ['pixel_values'], EMBEDDINGS);
      requireNames(decoder, 'decoder', ['input_points', 'input_labels', ...EMBEDDINGS], ['iou_scores', 'pred_masks']);
    },
    encoderFeeds: (image) => ({ pixel_values: image }),
    embeddings: (out) => checkEmbeddings(EMBEDDINGS.map((name) => out[name])),
    decoderFeeds([e0, e1, e2], prompts, width, height) {
      // Transformers.js exports take the box as its own tensor and clicks as [1,1,N,2]; a box
      // with no clicks still needs one point row, which is padding (label -1).
      const points = prompts.points.map((p) => ({ ...imageToModel(p, width, height), label: p.label }));
      const rows = points.length ? points : [{ x: 0, y: 0, label: -1 }];
      const coords = new Float32Array(rows.flatMap((p) => [p.x, p.y]));
      const labels = new BigInt64Array(rows.map((p) => BigInt(p.label)));
      const feeds: Record<string, ort.Tensor> = {
        input_points: new Tensor('float32', coords, [1, 1, rows.length, 2]),
        input_labels: new Tensor('int64', labels, [1, 1, rows.length]),
        'image_embeddings.0': e0,
        'image_embeddings.1': e1,
        'image_embeddings.2': e2,
      };
      const box = prompts.box && normalizeBox(prompts.box);
      const a = box && imageToModel({ x: box.x1, y: box.y1 }, width, height);
      const b = box && imageToModel({ x: box.x2, y: box.y2 }, width, height);
      feeds.input_boxes = a && b
        ? new Tensor('float32', new Float32Array([a.x, a.y, b.x, b.y]), [1, 1, 4])
        : new Tensor('float32', new Float32Array(0), [1, 0, 4]);
      return feeds;
    },
    decoderOutput: (out) => candidates(out.pred_masks, out.iou_scores),
  };
}

export function contractAdapter(contract: ModelContract, ortModule: OrtModule): ContractAdapter {
  return contract === 'onnx-community' ? onnxCommunity(ortModule) : samexporter(ortModule);
}

export { MODEL_SIZE };
