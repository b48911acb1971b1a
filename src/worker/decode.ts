/**
 * The decode request (prompts + an image's embeddings → three candidates, the chosen one as a
 * mask, kept per object) and the render request (re-threshold / switch candidate without the
 * decoder).
 */
import type * as ort from 'onnxruntime-web/wasm';
import { Sam2Error } from '../errors.js';
import { naturalMask } from './edges.js';
import { embeddingsForDecoder } from './gpu-embeddings.js';
import { requireImage } from './images.js';
import { cleanedLogits, maskAt, renderMask, usefulPreviewSize } from './mask-output.js';
import { getModel } from './models.js';
import { candidate, keepObject, requireObject } from './objects.js';
import type { DecodePreview, DecodeRequest, DecodeResult, MaskPayload, ObjectMask, RenderRequest } from './protocol.js';
import { counters } from './stats.js';

const superseded = () => new Sam2Error('aborted', 'Superseded by a newer request');

export async function handleDecode(request: DecodeRequest, sendPartial: (value: DecodePreview) => void, signal: AbortSignal): Promise<DecodeResult> {
  const image = requireImage(request.imageKey);
  if (image.modelKey !== request.modelKey) {
    throw new Sam2Error('not-ready', 'The image is not encoded for this model yet');
  }
  const model = await getModel(request.modelKey);
  const kept = request.objectId !== undefined ? image.objects.get(request.objectId) : undefined;
  const maskInput = request.refine ? (kept ? candidate(kept.logits, kept.maskIndex) : null) : (request.maskInput ?? null);
  const feeds = model.adapter.decoderFeeds(
    await embeddingsForDecoder(image.embeddings, model.decoder),
    request.prompts,
    image.width,
    image.height,
    model.adapter.refines ? maskInput : null,
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
  // Cancelled while the decoder ran: the page has moved on, so nothing is kept or sent.
  if (signal.aborted) throw superseded();
  const t1 = performance.now();
  const { logits, scores } = model.adapter.decoderOutput(outputs);
  const best = scores.reduce((bestIndex, score, i) => (score > scores[bestIndex] ? i : bestIndex), 0);
  const maskIndex = request.maskIndex !== null && request.maskIndex < scores.length ? request.maskIndex : best;
  const chosen = cleanedLogits(candidate(logits, maskIndex), request.threshold, request.cleanup);
  const previewSize = usefulPreviewSize(request.preview, image);
  // The page owns what it is sent (transferred); the kept logits stay the worker's.
  const lowResLogits = logits.slice();
  if (previewSize && request.previewOnly) {
    // Hover: painted only, never kept.
    const mask = maskAt(chosen, previewSize.width, previewSize.height, request.threshold);
    return { ...mask, scores, maskIndex, lowResLogits, timings: { decoder: t1 - t0, postprocess: performance.now() - t1 } };
  }
  if (previewSize) {
    // Display-size work (a few ms) that lets the page paint before the natural-size mask exists.
    const { data, width, height } = maskAt(chosen, previewSize.width, previewSize.height, request.threshold);
    sendPartial({ data, width, height, maskIndex });
  }
  let result: ObjectMask;
  // A hover (previewOnly) is painted only: the model's edge, like every display-size preview.
  const { mask, edges } = await naturalMask(image, chosen, request.threshold, request.previewOnly ? 'model' : request.edges);
  if (signal.aborted) throw superseded();
  // A hover (previewOnly) never changes what is kept, even when the image is too small for a preview.
  if (request.objectId === undefined || request.previewOnly) result = { ...mask, scores, maskIndex };
  else {
    const { threshold, cleanup } = request;
    result = keepObject(image.objects, request.objectId, { logits, scores, maskIndex, chosenLogits: chosen, threshold, cleanup, mask, edges });
  }
  return { ...result, lowResLogits, timings: { decoder: t1 - t0, postprocess: performance.now() - t1 } };
}

export async function handleRender(request: RenderRequest, signal: AbortSignal): Promise<ObjectMask> {
  if ('logits' in request) {
    const mask: MaskPayload = renderMask(request.logits, request.width, request.height, request.threshold, request.cleanup);
    return { ...mask, scores: [], maskIndex: -1 };
  }
  const image = requireImage(request.imageKey);
  const kept = requireObject(image.objects, request.objectId);
  const maskIndex = request.maskIndex !== null && request.maskIndex >= 0 && request.maskIndex < kept.scores.length ? request.maskIndex : kept.maskIndex;
  const chosen = cleanedLogits(candidate(kept.logits, maskIndex), request.threshold, request.cleanup);
  const { mask, edges } = await naturalMask(image, chosen, request.threshold, request.edges);
  if (signal.aborted) throw superseded();
  const { threshold, cleanup } = request;
  return keepObject(image.objects, request.objectId, { ...kept, maskIndex, chosenLogits: chosen, threshold, cleanup, mask, edges });
}
