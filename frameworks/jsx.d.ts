/**
 * `<sam2-segmenter>` in React 19 JSX: `import type {} from 'sam2-segmenter/jsx';` once in the app.
 * Element properties (React 19 sets them as properties), multi-word attributes, and
 * `on<event-name>` listener props (`onmask-change`, `onmodel-load`, ...), typed from the element.
 * React 18 and earlier: use the wrapper, `sam2-segmenter/react`.
 */
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { Sam2Segmenter, Sam2SegmenterAttributes, Sam2SegmenterEventHandlers, Sam2SegmenterProperties } from '../dist/types/index.js';

export type Sam2SegmenterJsxProps = DetailedHTMLProps<HTMLAttributes<Sam2Segmenter>, Sam2Segmenter> &
  Sam2SegmenterProperties &
  Sam2SegmenterAttributes &
  Sam2SegmenterEventHandlers;

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'sam2-segmenter': Sam2SegmenterJsxProps;
    }
  }
}
