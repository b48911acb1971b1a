/**
 * The visible states (architecture.md, "Visible states and errors") as template functions: the
 * loading status over the image (`part="status"`, with the progress bar inside the `progress`
 * slot) and the error over the whole element (`part="error"`, `slot="error"`). Data and
 * callbacks only: the state lives in controllers/states.ts.
 */
import { html, nothing } from 'lit';
import type { ProgressDetail } from '../events.js';
import type { ErrorView, FailedStep, LoadingView } from '../controllers/states.js';
import type { Sam2Strings } from './strings.js';

export { resolveStrings, type Sam2Strings } from './strings.js';
import { loadingText } from './templates.js';

export const errorTitle = (strings: Sam2Strings, step: FailedStep) =>
  step === 'model' ? strings.errorModel : step === 'image' ? strings.errorImage : strings.errorEncode;

/**
 * Text and bar while loading: the bar follows the job's fraction while the model downloads and
 * compiles; during the encode (whose fraction only says 0 and 1) it fills over the time earlier
 * encodes took, or sweeps when none is known. Where the bar is, is set by the loading clock
 * (controllers/loading-clock.ts, `--_bar`), not here: it changes between renders. Clicks waiting
 * for the image are counted under it. The text is hidden from assistive technology: the
 * element's live region says the same.
 */
export function statusPart(strings: Sam2Strings, status: string, progress: ProgressDetail | null, view: LoadingView | null) {
  if (!view) return nothing;
  const text = loadingText(strings, status, progress, view.estimateMs);
  const percent = Math.floor(view.fraction * 100);
  return html`<slot name="progress"
    ><div class="status" part="status" data-mode=${view.mode}>
      <div class="status-text" aria-hidden="true">
        <span>${text}</span>${view.pending ? html`<span class="status-pending">${strings.pendingPrompts(view.pending)}</span>` : nothing}
      </div>
      <div
        class=${`progress ${view.mode}`}
        part="progress"
        role="progressbar"
        aria-label=${strings.loading}
        aria-valuetext=${text}
        aria-valuemin="0"
        aria-valuemax="100"
        aria-valuenow=${view.mode === 'determinate' ? percent : nothing}
      >
        <div></div>
      </div></div
  ></slot>`;
}

/**
 * Over the whole element when a step failed that segmenting needs: what could not be done, the
 * error's message and a Retry button; a page's `slot="error"` content replaces all three.
 */
export function errorPart(strings: Sam2Strings, view: ErrorView | null, onRetry: () => void) {
  if (!view) return nothing;
  return html`<div class="error" part="error" role="alert" data-code=${view.error.code}>
    <slot name="error"
      ><div class="error-box">
        <p class="error-title">${errorTitle(strings, view.step)}</p>
        <p class="error-message">${view.error.message}</p>
        <button type="button" class="retry" @click=${onRetry}>${strings.retry}</button>
      </div></slot
    >
  </div>`;
}
