// snippet:plain-js
import 'sam2-segmenter';

const segmenter = document.querySelector('sam2-segmenter');
segmenter.addEventListener('model-load', () => {
  document.querySelector('#model-status').textContent = 'loaded';
});
segmenter.addEventListener('mask-change', (event) => {
  document.querySelector('#mask-area').textContent = String(event.detail.area);
});
// /snippet
