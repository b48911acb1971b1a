/**
 * The element's controls as small template functions: the toolbar (candidates, undo, redo,
 * clear) and, with `multiple`, the object bar. They get data and callbacks only: no state.
 */
import { html, nothing, svg, type SVGTemplateResult } from 'lit';
import type { MaskResult, ProgressDetail, SegmentObjectInfo } from '../events.js';
import type { PreparedImage } from '../image-input.js';
import { cssVars } from './css-vars.js';
import { DEFAULT_STRINGS, type Sam2Strings } from './strings.js';

/** Toolbar icons: 24-unit strokes in currentColor, so they follow the theme. */
const icon = (paths: SVGTemplateResult) =>
  html`<svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">${paths}</svg>`;
const UNDO_ICON = icon(svg`<polyline points="9 14 4 9 9 4" /><path d="M4 9h10.5a5.5 5.5 0 0 1 0 11H11" />`);
const REDO_ICON = icon(svg`<polyline points="15 14 20 9 15 4" /><path d="M20 9H9.5a5.5 5.5 0 0 0 0 11H13" />`);
const CLEAR_ICON = icon(svg`<path d="M6 6l12 12M18 6 6 18" />`);
const PLUS_ICON = icon(svg`<path d="M12 5v14M5 12h14" />`);

export interface ToolbarProps {
  show: boolean;
  result: MaskResult | null;
  canUndo: boolean;
  canRedo: boolean;
  onSelect(index: number): void;
  onUndo(): void;
  onRedo(): void;
  onClear(): void;
}

export function toolbar(p: ToolbarProps, STRINGS: Sam2Strings = DEFAULT_STRINGS) {
  const result = p.result;
  const scores = result?.mask ? result.scores : [];
  const percent = (score: number) => (score * 100).toFixed(0);
  return html`<div class="toolbar" part="toolbar" ?hidden=${!p.show}>
    <slot name="toolbar">
      ${scores.length > 1
        ? html`<div class="candidates" part="candidates" role="radiogroup" aria-label=${STRINGS.candidates}>
            ${scores.map(
              (score, i) =>
                html`<button
                  type="button"
                  role="radio"
                  aria-checked=${i === result!.maskIndex ? 'true' : 'false'}
                  title=${STRINGS.candidateTitle(i + 1, percent(score))}
                  aria-label=${STRINGS.candidate(i + 1, percent(score))}
                  @click=${() => p.onSelect(i)}
                >
                  ${i + 1}
                </button>`,
            )}
          </div>`
        : nothing}
      <button type="button" class="tool" aria-label=${STRINGS.undo} title=${STRINGS.undoTitle} ?disabled=${!p.canUndo} @click=${p.onUndo}>${UNDO_ICON}</button>
      <button type="button" class="tool" aria-label=${STRINGS.redo} title=${STRINGS.redoTitle} ?disabled=${!p.canRedo} @click=${p.onRedo}>${REDO_ICON}</button>
      <button type="button" class="tool" aria-label=${STRINGS.clear} title=${STRINGS.clearTitle} @click=${p.onClear}>${CLEAR_ICON}</button>
    </slot>
  </div>`;
}

export interface ObjectBarProps {
  objects: readonly SegmentObjectInfo[];
  active: number;
  colorOf(id: number): string;
  onAdd(): void;
  onActivate(id: number): void;
  onRemove(id: number): void;
}

/** With `multiple`: a "new object" button and one chip per object in its colour. */
export function objectBar(p: ObjectBarProps, STRINGS: Sam2Strings = DEFAULT_STRINGS) {
  return html`<div class="objects" part="objects" role="toolbar" aria-label=${STRINGS.objects}>
    <button type="button" class="tool add" aria-label=${STRINGS.newObject} title=${STRINGS.newObjectTitle} @click=${p.onAdd}>${PLUS_ICON}</button>
    ${p.objects.map(
      (o) => html`<span class="chip" ${cssVars({ '--_chip-color': p.colorOf(o.id) })} aria-current=${o.id === p.active ? 'true' : 'false'} data-object=${o.id}>
        <button type="button" class="swatch" title=${STRINGS.objectTitle(o.id)} aria-pressed=${o.id === p.active ? 'true' : 'false'} @click=${() => p.onActivate(o.id)}>
          ${STRINGS.object(o.id)}
        </button>
        <button type="button" class="remove" aria-label=${STRINGS.removeObject(o.id)} title=${STRINGS.removeObject(o.id)} @click=${() => p.onRemove(o.id)}>×</button>
      </span>`,
    )}
  </div>`;
}

/** The image (an <img> for URLs and blobs, a canvas for bitmaps), or the placeholder slot before there is one. */
export function imageView(display: PreparedImage['display'] | null, label: string, placeholder: string, onLoad: () => void) {
  if (!display) return html`<slot name="placeholder"><div class="placeholder">${placeholder}</div></slot>`;
  return 'bitmap' in display
    ? html`<canvas class="image" part="image" role="img" aria-label=${label}></canvas>`
    : html`<img class="image" part="image" src=${display.url} alt=${label} crossorigin="anonymous" draggable="false" @load=${onLoad} />`;
}

/** What the live region says in each state (ready: the latest announcement, e.g. the mask's size). */
export function statusText(strings: Sam2Strings, status: string, progress: ProgressDetail | null, announcement: string, error: string | null): string {
  switch (status) {
    case 'loading':
    case 'encoding':
      return loadingText(strings, status, progress, null);
    case 'error':
      return error ?? strings.error;
    case 'ready':
    case 'decoding':
      return announcement || strings.ready;
    default:
      return announcement;
  }
}

/** The visible (and announced) text while loading: download with its percentage, compile, encode. */
export function loadingText(strings: Sam2Strings, status: string, progress: ProgressDetail | null, estimateMs: number | null): string {
  if (status === 'encoding') return estimateMs === null ? strings.analysing : strings.analysingEstimate(Math.max(1, Math.round(estimateMs / 1000)));
  if (progress?.phase === 'download') return strings.downloading(Math.floor(progress.fraction * 100));
  if (progress?.phase === 'compile') return strings.preparing;
  return strings.loadingModel;
}
