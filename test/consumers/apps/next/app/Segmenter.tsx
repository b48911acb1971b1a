// snippet:next-client
'use client';
import { useState } from 'react';
import { Sam2Segmenter } from 'sam2-segmenter/react';

export function Segmenter({ src }: { src: string }) {
  const [status, setStatus] = useState('loading');
  const [area, setArea] = useState<number | null>(null);
  return (
    <>
      <Sam2Segmenter
        model="/fixtures/colour.manifest.json"
        src={src}
        loading="eager"
        onModelLoad={() => setStatus('loaded')}
        onMaskChange={(event) => setArea(event.detail.area)}
      />
      <output id="model-status">{status}</output>
      <output id="mask-area">{area}</output>
    </>
  );
}
// /snippet
