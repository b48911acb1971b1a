/**
 * The decode request (prompts + an image's embeddings → three candidates, the chosen one as a
 * mask) and the render request (re-threshold / switch candidate without the decoder).
 */
import type * as ort from 'onnxruntime-web/wasm';
import { Sam2Error } from '../errors.js';
import { LOW_RES_SIZE } from '../geometry/model-frame.js';
import { getImage } from './images.js';
import { cleanedLogits, maskAt, renderMask, usefulPreviewSize } from './mask-output.js';
import { getModel } from './models.js';
import type { DecodePreview, DecodeRequest, DecodeResult, MaskPayload, RenderRequest } from './protocol.js';
import { counters } from './stats.js';

export async function handleDecode(request: DecodeRequest, sendPartial: (value: DecodePreview) => void): Promise<DecodeResult> {
  const image = getImage(request.imageKey);
  if (!image || image.modelKey !== request.modelKey) {
    throw new Sam2Error('not-ready', 'The image is not encoded for this model yet');
  }
  const model = await getModel(request.modelKey);
  const feeds = model.adapter.decoderFeeds(
    image.embeddings,
    request.prompts,
    image.width,
    image.height,
    model.adapter.refines ? request.maskInput : null,
  );
  for (const name of Object.keys(feeds)) if (!model.decoder.inputNames.includes(name)) delete feeds[name];
  const t0 = performance.now();
  let outputs: ort.InferenceSession.OnnxValueMapType;
  try {
    outputs = await model.decoder.run(feeds);
  } catch (cause) {
    throw new Sam2Error('decode-failed', `The decoder failed: ${String((cause as Error)?.message ?? cause)}`, { cause });
  }
  counters.decodes++;
  const t1 = performance.now();
  const { logits, scores } = model.adapter.decoderOutput(outputs);
  const best = scores.reduce((bestIndex, score, i) => (score > scores[bestIndex] ? i : bestIndex), 0);
  const maskIndex = request.maskIndex !== null && request.maskIndex < scores.length ? request.maskIndex : best;
  const plane = LOW_RES_SIZE * LOW_RES_SIZE;
  const chosen = cleanedLogits(logits.subarray(maskIndex * plane, (maskIndex + 1) * plane), request.threshold, request.cleanup);
  const previewSize = usefulPreviewSize(request.preview, image);
  let mask: MaskPayload;
  if (previewSize && request.previewOnly) {
    mask = maskAt(chosen, previewSize.width, previewSize.height, request.threshold);
  } else {
    if (previewSize) {
      // Display-size work (a few ms) that lets the page paint before the natural-size mask exists.
      const { data, width, height } = maskAt(chosen, previewSize.width, previewSize.height, request.threshold);
      sendPartial({ data, width, height, maskIndex });
    }
    mask = maskAt(chosen, image.width, image.height, request.threshold);
  }
  const lowResLogits = logits.slice();
  return { ...mask, scores, maskIndex, lowResLogits, timings: { decoder: t1 - t0, postprocess: performance.now() - t1 } };
}

export function handleRender(request: RenderRequest): MaskPayload {
  return renderMask(request.logits, request.width, request.height, request.threshold, request.cleanup);
}
