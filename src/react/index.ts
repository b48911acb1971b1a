/**
 * `sam2-segmenter/react`: `<Sam2Segmenter>` for React (17+), made with @lit/react. Properties are
 * set as properties (so `image`, `model` objects work), events are `on…` props, and a ref gives the
 * element itself:
 *
 *   <Sam2Segmenter model="tiny" src={url} onMaskChange={(e) => save(e.detail.mask)} ref={ref} />
 *
 * React 19 can also use `<sam2-segmenter>` directly (typings: `sam2-segmenter/jsx`).
 */
import * as React from 'react';
import { createComponent, type EventName } from '@lit/react';
import { Sam2Segmenter as Sam2SegmenterElement } from '../sam2-segmenter.js';
import { TAG_NAME } from '../define.js';
import type { Sam2SegmenterEventMap } from '../events.js';

/** An event of the element, with the type of its event object for the handler prop. */
const event = <K extends keyof Sam2SegmenterEventMap>(name: K) => name as EventName<Sam2SegmenterEventMap[K]>;

/** React prop name → DOM event name. */
const events = {
  onProgress: event('progress'),
  onModelLoad: event('model-load'),
  onImageEncode: event('image-encode'),
  onMaskChange: event('mask-change'),
  onObjectsChange: event('objects-change'),
  onError: event('error'),
};

export const Sam2Segmenter = createComponent({
  react: React,
  tagName: TAG_NAME,
  elementClass: Sam2SegmenterElement,
  events,
  displayName: 'Sam2Segmenter',
});

/** The props `<Sam2Segmenter>` takes (element properties, `on…` event props, React's own). */
export type Sam2SegmenterProps = React.ComponentProps<typeof Sam2Segmenter>;
export type { Sam2SegmenterElement };
export type { Sam2SegmenterEventMap };
