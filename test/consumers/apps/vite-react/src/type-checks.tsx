// Not rendered: `tsc` (npm run build) proves the JSX typings are active and strict (every
// expected error below must occur, or the build fails).
import type {} from 'sam2-segmenter/jsx';
import { Sam2Segmenter } from 'sam2-segmenter/react';

export const direct = (
  <>
    {/* @ts-expect-error threshold is a number */}
    <sam2-segmenter threshold="high" />
    {/* @ts-expect-error the mask-change detail has no such field */}
    <sam2-segmenter onmask-change={(event) => event.detail.nonexistent} />
    <sam2-segmenter model-base="/models/" hover-preview onerror={(event) => event.detail.code} />
  </>
);

export const wrapped = (
  <>
    {/* @ts-expect-error threshold is a number */}
    <Sam2Segmenter threshold="high" />
    {/* @ts-expect-error the error detail has no such field */}
    <Sam2Segmenter onError={(event) => event.detail.nonexistent} />
    <Sam2Segmenter modelBase="/models/" hoverPreview onProgress={(event) => event.detail.fraction} />
  </>
);
