// snippet:react-wrapper
import { useRef, useState } from 'react';
import { Sam2Segmenter } from 'sam2-segmenter/react';
import type { Sam2SegmenterElement } from 'sam2-segmenter/react';

export function Segmenter({ src }: { src: string }) {
  const ref = useRef<Sam2SegmenterElement>(null);
  const [status, setStatus] = useState('loading');
  const [area, setArea] = useState<number | null>(null);
  return (
    <>
      <Sam2Segmenter
        ref={ref}
        model="/fixtures/colour.manifest.json"
        src={src}
        loading="eager"
        onModelLoad={() => setStatus('loaded')}
        onMaskChange={(event) => setArea(event.detail.area)}
        onError={(event) => setStatus(`error: ${event.detail.code}`)}
      />
      <output id="model-status">{status}</output>
      <output id="mask-area">{area}</output>
      <button onClick={() => ref.current?.clear()}>Clear</button>
    </>
  );
}
// /snippet
