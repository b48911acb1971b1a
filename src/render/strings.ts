/**
 * Every text the element shows or announces, in one place (so it can become replaceable for
 * other languages without touching the template or the controllers).
 */
export const STRINGS = {
  imageLabel: 'Image to segment',
  instructions: 'Click to select an object; Shift-click to exclude; arrow keys and Enter to place points.',
  noImage: 'No image',
  loading: 'Loading',
  loadingModel: 'Loading model',
  loadingModelPercent: (percent: number) => `Loading model ${percent}%`,
  analysing: 'Analysing image',
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
