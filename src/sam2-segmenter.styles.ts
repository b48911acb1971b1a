import { css } from 'lit';

/**
 * Defaults live on :host as custom properties so a page can theme every element at once.
 * The look is neutral: a thin frame that fits an article, readable in light and dark schemes.
 */
export const styles = css`
  :host {
    --sam2-mask-color: #1e90ff;
    /* Object n is drawn in the n-th colour (cycling); object 1 follows --sam2-mask-color. */
    --sam2-object-colors: var(--sam2-mask-color), #f97316, #22c55e, #e11d48, #a855f7, #eab308, #14b8a6, #ec4899,
      #84cc16;
    --sam2-mask-opacity: 0.45;
    --sam2-outline-color: #ffffff;
    --sam2-outline-width: 2px;
    --sam2-point-positive-color: #16a34a;
    --sam2-point-negative-color: #dc2626;
    --sam2-box-color: #facc15;
    --sam2-accent-color: #2563eb;
    --sam2-error-color: #dc2626;
    --sam2-background: color-mix(in srgb, currentColor 6%, transparent);
    --sam2-radius: 6px;
    --sam2-touch-action: pinch-zoom;

    display: block;
    position: relative;
    box-sizing: border-box;
    max-width: 100%;
    color-scheme: light dark;
    contain: layout style;
  }
  :host([hidden]) {
    display: none;
  }
  :host([disabled]) .frame {
    cursor: default;
    opacity: 0.7;
  }
  /* Without a height on the host, the frame takes the image's aspect ratio (no letterbox bars in
     an article); with one, the image is fitted inside it (object-fit: contain). */
  .frame {
    position: relative;
    width: 100%;
    height: 100%;
    max-height: inherit;
    min-height: inherit;
    aspect-ratio: var(--_aspect, auto);
    overflow: hidden;
    border-radius: var(--sam2-radius);
    background: var(--sam2-background);
    cursor: crosshair;
    touch-action: var(--sam2-touch-action);
    user-select: none;
    -webkit-user-select: none;
    -webkit-touch-callout: none;
    outline: none;
  }
  :host(:focus-visible) .frame {
    box-shadow: 0 0 0 3px var(--sam2-accent-color);
  }
  .image {
    position: absolute;
    inset: 0;
    display: block;
    width: 100%;
    height: 100%;
    object-fit: contain;
    pointer-events: none;
  }
  .frame.empty {
    min-height: 120px;
  }
  .overlay {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    pointer-events: none;
  }
  /* Loading: a status pill over the bottom of the image (clicks go through it to the image, where
     they are kept as pending prompts). */
  .status {
    position: absolute;
    left: 12px;
    right: 12px;
    bottom: 12px;
    display: flex;
    flex-direction: column;
    gap: 6px;
    padding: 8px 10px;
    border-radius: 8px;
    background: color-mix(in srgb, Canvas 82%, transparent);
    color: CanvasText;
    backdrop-filter: blur(6px);
    box-shadow: 0 1px 3px rgb(0 0 0 / 0.25);
    font: 13px/1.3 system-ui, sans-serif;
    pointer-events: none;
  }
  .status-text {
    display: flex;
    flex-wrap: wrap;
    justify-content: space-between;
    gap: 2px 12px;
  }
  .status-pending {
    opacity: 0.75;
  }
  .progress {
    position: relative;
    height: 6px;
    border-radius: 3px;
    background: color-mix(in srgb, CanvasText 14%, transparent);
    overflow: hidden;
  }
  /* Where the fill is comes from one custom property, --_bar, set by the loading clock
     (controllers/loading-clock.ts) through the CSSOM: the job's fraction while the model
     downloads and compiles; during the encode (which reports only its start and end) a fill over
     the time earlier encodes took (slowing down near the end rather than stopping), or a sweep's
     position when no time is known yet. The clock steps it 4 times a second: no CSS animation or
     transition runs (one makes a frame every vsync, CPU taken from the encoder on small machines).
     A full-width fill slid left keeps its rounded end and needs no layout when it moves. */
  .progress > div {
    height: 100%;
    border-radius: inherit;
    background: var(--sam2-accent-color);
    transform: translateX(calc((var(--_bar, 0) - 1) * 100%));
  }
  .progress.indeterminate > div {
    width: 35%;
    transform: translateX(calc(var(--_bar, 0) * 390% - 100%));
  }
  /* No movement with reduced motion: during the encode the bar is full and --_bar is its opacity,
     stepped every 500 ms (the text carries the time). */
  @media (prefers-reduced-motion: reduce) {
    .progress.estimate > div,
    .progress.indeterminate > div {
      width: 100%;
      transform: none;
      opacity: var(--_bar, 1);
    }
  }
  /* An error: over the whole element, the image dimmed behind it. */
  .error {
    position: absolute;
    inset: 0;
    z-index: 1;
    display: grid;
    place-items: center;
    padding: 12px;
    overflow: auto;
    border-radius: var(--sam2-radius);
    background: color-mix(in srgb, Canvas 55%, transparent);
    backdrop-filter: blur(2px);
    color: CanvasText;
    font: 14px/1.4 system-ui, sans-serif;
    cursor: default;
  }
  .error-box {
    max-width: 36em;
    padding: 12px 16px;
    border-radius: 8px;
    border-left: 4px solid var(--sam2-error-color);
    background: Canvas;
    box-shadow: 0 1px 4px rgb(0 0 0 / 0.3);
  }
  .error-box p {
    margin: 0 0 6px;
  }
  .error-title {
    font-weight: 600;
  }
  .error-message {
    font-size: 13px;
    opacity: 0.8;
    overflow-wrap: anywhere;
  }
  .retry {
    margin-top: 4px;
    padding: 5px 14px;
    border: 0;
    border-radius: 5px;
    background: var(--sam2-accent-color);
    color: #fff;
    font: inherit;
    cursor: pointer;
  }
  .retry:focus-visible {
    outline: 2px solid var(--sam2-accent-color);
    outline-offset: 2px;
  }
  .placeholder {
    display: grid;
    place-items: center;
    min-height: 120px;
    font: 14px/1.4 system-ui, sans-serif;
    opacity: 0.7;
  }
  .toolbar {
    position: absolute;
    top: 8px;
    right: 8px;
    display: flex;
    gap: 4px;
    align-items: center;
    padding: 3px;
    border-radius: 8px;
    background: color-mix(in srgb, Canvas 82%, transparent);
    color: CanvasText;
    backdrop-filter: blur(6px);
    box-shadow: 0 1px 3px rgb(0 0 0 / 0.25);
    font: 13px/1 system-ui, sans-serif;
  }
  .toolbar[hidden] {
    display: none;
  }
  .candidates {
    display: flex;
    gap: 2px;
    padding-right: 4px;
    margin-right: 2px;
    border-right: 1px solid color-mix(in srgb, CanvasText 20%, transparent);
  }
  .toolbar button {
    min-width: 26px;
    height: 26px;
    padding: 0 6px;
    border: 0;
    border-radius: 5px;
    background: transparent;
    color: inherit;
    font: inherit;
    cursor: pointer;
  }
  .tool {
    display: inline-flex;
    align-items: center;
    justify-content: center;
  }
  .toolbar button:hover:not(:disabled) {
    background: color-mix(in srgb, CanvasText 12%, transparent);
  }
  .toolbar button:focus-visible {
    outline: 2px solid var(--sam2-accent-color);
  }
  .toolbar button:disabled {
    opacity: 0.4;
    cursor: default;
  }
  .candidates button[aria-checked='true'] {
    background: var(--sam2-accent-color);
    color: #fff;
  }
  .objects {
    position: absolute;
    top: 8px;
    left: 8px;
    display: flex;
    flex-wrap: wrap;
    gap: 4px;
    align-items: center;
    max-width: calc(100% - 16px);
    padding: 3px;
    border-radius: 8px;
    background: color-mix(in srgb, Canvas 82%, transparent);
    color: CanvasText;
    backdrop-filter: blur(6px);
    box-shadow: 0 1px 3px rgb(0 0 0 / 0.25);
    font: 13px/1 system-ui, sans-serif;
  }
  .objects button {
    min-width: 26px;
    height: 26px;
    padding: 0 6px;
    border: 0;
    border-radius: 5px;
    background: transparent;
    color: inherit;
    font: inherit;
    cursor: pointer;
  }
  .objects button:hover {
    background: color-mix(in srgb, CanvasText 12%, transparent);
  }
  .objects button:focus-visible {
    outline: 2px solid var(--sam2-accent-color);
  }
  .chip {
    display: inline-flex;
    align-items: center;
    border-radius: 6px;
    box-shadow: inset 0 0 0 2px var(--_chip-color, currentColor);
  }
  .chip[aria-current='true'] {
    background: color-mix(in srgb, var(--_chip-color, currentColor) 30%, transparent);
  }
  .chip .swatch {
    display: inline-flex;
    align-items: center;
    gap: 5px;
  }
  .chip .swatch::before {
    content: '';
    width: 10px;
    height: 10px;
    border-radius: 50%;
    background: var(--_chip-color, currentColor);
  }
  .chip .remove {
    min-width: 22px;
    padding: 0 4px;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
