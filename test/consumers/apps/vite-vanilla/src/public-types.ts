// Not part of the page: `tsc` (npm run build) checks the package's public types as a user's code
// sees them (skipLibCheck off, onnxruntime-web not installed). An @ts-expect-error that stops
// erroring fails the build too.
import { Sam2Segmenter, Sam2Error, type MaskChangeDetail, type ErrorDetail, type ProgressDetail } from 'sam2-segmenter';
import { workerStats } from 'sam2-segmenter/testing';

const element = document.querySelector('sam2-segmenter')!;
// The tag is typed (HTMLElementTagNameMap), and so are its events, on the element only.
const typed: Sam2Segmenter = element;
typed.addEventListener('error', (event) => {
  const detail: ErrorDetail = event.detail;
  console.log(detail.code, detail.recoverable, event.detail.message);
});
typed.addEventListener('progress', (event) => {
  const detail: ProgressDetail = event.detail;
  console.log(detail.phase, detail.fraction);
});
typed.addEventListener('mask-change', (event) => {
  const detail: MaskChangeDetail = event.detail;
  console.log(detail.area, detail.mask?.width);
});
typed.addEventListener('click', (event) => console.log(event.clientX));
typed.removeEventListener('mask-change', () => {});

// Other elements keep the DOM's types: no `mask-change` on a <div>.
const div = document.createElement('div');
div.addEventListener('mask-change', (event) => {
  // @ts-expect-error a plain Event has no detail
  console.log(event.detail);
});

Sam2Segmenter.basePath = '/static/sam2-segmenter/';
const code: Sam2Error['code'] = 'worker-crashed';
void workerStats().then((stats) => console.log(stats?.sessionsCreated, code));
