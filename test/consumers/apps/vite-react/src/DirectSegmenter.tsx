// snippet:react-direct
import { useState } from 'react';
import 'sam2-segmenter';
import type {} from 'sam2-segmenter/jsx'; // JSX typings for <sam2-segmenter>

export function DirectSegmenter({ src }: { src: string }) {
  const [status, setStatus] = useState('loading');
  const [area, setArea] = useState<number | null>(null);
  // React 19 sets properties and listens to `on<event-name>` props on custom elements.
  return (
    <>
      <sam2-segmenter
        model="/fixtures/colour.manifest.json"
        src={src}
        loading="eager"
        onmodel-load={() => setStatus('loaded')}
        onmask-change={(event) => setArea(event.detail.area)}
      />
      <output id="model-status">{status}</output>
      <output id="mask-area">{area}</output>
    </>
  );
}
// /snippet
