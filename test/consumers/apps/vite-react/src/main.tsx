import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Segmenter } from './Segmenter';
import { DirectSegmenter } from './DirectSegmenter';

// `?direct`: React 19's own custom element support instead of the wrapper.
const direct = new URLSearchParams(location.search).has('direct');
createRoot(document.getElementById('root')!).render(
  <StrictMode>{direct ? <DirectSegmenter src="/fixtures/scene.png" /> : <Segmenter src="/fixtures/scene.png" />}</StrictMode>,
);
