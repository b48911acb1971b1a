/**
 * `<sam2-segmenter>` in Svelte 5 markup (svelte-check): `import type {} from 'sam2-segmenter/svelte';`
 * once in the app. Properties, multi-word attributes, and `onmask-change={...}`-style listeners
 * typed from the element (its `onerror` / `onprogress` carry the element's CustomEvent details).
 */
import type { HTMLAttributes } from 'svelte/elements';
import type { Sam2Segmenter, Sam2SegmenterAttributes, Sam2SegmenterEventHandlers, Sam2SegmenterProperties } from '../dist/types/index.js';

export type Sam2SegmenterSvelteProps = Omit<HTMLAttributes<Sam2Segmenter>, keyof Sam2SegmenterEventHandlers | keyof Sam2SegmenterProperties> &
  Sam2SegmenterProperties &
  Sam2SegmenterAttributes &
  Sam2SegmenterEventHandlers;

declare module 'svelte/elements' {
  interface SvelteHTMLElements {
    'sam2-segmenter': Sam2SegmenterSvelteProps;
  }
}
