/**
 * Registers `<sam2-segmenter>`. Kept apart from the class so the class can be imported (and
 * subclassed, or registered under another name) without defining the tag, and so importing the
 * package where there is no custom element registry (server-side rendering) defines nothing.
 */
import { Sam2Segmenter } from './sam2-segmenter.js';

export const TAG_NAME = 'sam2-segmenter';

// In Node, lit's server build provides a stand-in `customElements` registry, so the test is for a
// document too: server-side rendering defines nothing, and the element upgrades after hydration.
if (typeof document !== 'undefined' && typeof customElements !== 'undefined' && !customElements.get(TAG_NAME)) {
  customElements.define(TAG_NAME, Sam2Segmenter);
}

declare global {
  interface HTMLElementTagNameMap {
    'sam2-segmenter': Sam2Segmenter;
  }
}
