// Not part of the page: svelte-check (npm run build) proves the markup typings are active and strict.
import type { SvelteHTMLElements } from 'svelte/elements';
import type {} from 'sam2-segmenter/svelte';

type Sam2SegmenterAttributes = SvelteHTMLElements['sam2-segmenter'];
export const good: Sam2SegmenterAttributes = { threshold: 0.5, 'model-base': '/models/', onerror: (event) => event.detail.code };
// @ts-expect-error threshold is a number
export const badValue: Sam2SegmenterAttributes = { threshold: 'high' };
// @ts-expect-error the mask-change detail has no such field
export const badHandler: Sam2SegmenterAttributes = { 'onmask-change': (event) => event.detail.nonexistent };
