/**
 * Every text the element shows or announces, in one place. A page replaces any of them (other
 * languages, its own wording) with the element's `strings` property: a partial table merged over
 * these defaults. Functions get the numbers already formatted where a format is a choice.
 */
export const DEFAULT_STRINGS = {
  imageLabel: 'Image to segment',
  instructions: 'Click to select an object; Shift-click to exclude; arrow keys and Enter to place points.',
  noImage: 'No image',
  /** Accessible name of the progress bar. */
  loading: 'Loading',
  /** Status (`part="status"` and the live region) before the first progress event of a model load. */
  loadingModel: 'Loading model…',
  /** While the model downloads: `percent` of the whole load (0-100, never decreasing). */
  downloading: (percent: number) => `Downloading model… ${percent}\u00a0%`,
  /** While onnxruntime compiles the model (or reads it from the cache). */
  preparing: 'Preparing…',
  /** While the encoder runs and no earlier encode of this model on this page gives a time. */
  analysing: 'Analysing image…',
  /** While the encoder runs, with the time earlier encodes of this model took (whole seconds, at least 1). */
  analysingEstimate: (seconds: number) => `Analysing image… about ${seconds}\u00a0s`,
  /** Under the status while clicks made before the image was ready wait for it. */
  pendingPrompts: (count: number) => `${count} ${count === 1 ? 'click' : 'clicks'} will be applied when ready`,
  /** The error part's heading when the model could not be loaded (the error's message follows). */
  errorModel: 'The model could not be loaded.',
  /** ... when the image could not be loaded or decoded. */
  errorImage: 'The image could not be loaded.',
  /** ... when the image could not be analysed (the encoder failed). */
  errorEncode: 'The image could not be analysed.',
  /** The error part's button (runs `retry()`). */
  retry: 'Retry',
  /** Live region text in the error state when nothing more precise is known. */
  error: 'Error',
  ready: 'Ready',
  undo: 'Undo',
  undoTitle: 'Undo (Ctrl+Z)',
  redo: 'Redo',
  redoTitle: 'Redo (Shift+Ctrl+Z)',
  clear: 'Clear',
  clearTitle: 'Clear (Esc)',
  candidates: 'Mask candidates',
  candidate: (n: number, percent: string) => `Candidate ${n}, predicted IoU ${percent}%`,
  candidateTitle: (n: number, percent: string) => `Candidate ${n}: predicted IoU ${percent}%`,
  objects: 'Objects',
  newObject: 'New object',
  newObjectTitle: 'New object (N)',
  object: (id: number) => `Object ${id}`,
  objectTitle: (id: number) => (id <= 9 ? `Object ${id} (key ${id})` : `Object ${id}`),
  removeObject: (id: number) => `Remove object ${id}`,
  objectAdded: (id: number) => `Object ${id} added`,
  objectActive: (id: number) => `Object ${id} selected`,
  objectRemoved: (id: number, active: number) => `Object ${id} removed; object ${active} selected`,
  mask: (percent: string, points: number, box: boolean) =>
    `Mask: ${percent}% of the image, ${points} point${points === 1 ? '' : 's'}${box ? ', 1 box' : ''}`,
  objectMask: (id: number, percent: string, points: number, box: boolean) =>
    `Object ${id} mask: ${percent}% of the image, ${points} point${points === 1 ? '' : 's'}${box ? ', 1 box' : ''}`,
};

/** The table of texts: each entry a string, or a function of the numbers it shows. */
export type Sam2Strings = typeof DEFAULT_STRINGS;

/**
 * The defaults with a page's overrides on top; an entry of the wrong kind (a string where the
 * default is a function, or the reverse) or an unknown key is ignored, so a typo'd table can't
 * break rendering.
 */
export function resolveStrings(overrides: Partial<Sam2Strings> | null | undefined): Sam2Strings {
  if (!overrides || typeof overrides !== 'object') return DEFAULT_STRINGS;
  const merged: Record<string, unknown> = { ...DEFAULT_STRINGS };
  for (const [key, value] of Object.entries(overrides)) {
    if (Object.hasOwn(DEFAULT_STRINGS, key) && typeof value === typeof DEFAULT_STRINGS[key as keyof Sam2Strings]) merged[key] = value;
  }
  return merged as Sam2Strings;
}
