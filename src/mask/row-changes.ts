/**
 * The one full-image pass shared by contour tracing and COCO RLE encoding: find every pixel whose
 * inside-ness differs from the pixel directly above it. Masks are mostly large uniform areas, so
 * when rows are 4-byte aligned (width % 4 === 0 and an aligned byteOffset, true for typical image
 * widths like 4000 or 8000) whole 4-pixel words are compared at once and only differing words are
 * inspected byte by byte. Equal words imply equal pixels, so this is exact for any byte values.
 */

/** Calls `visit(x, y)`, in row-major order, for each pixel (x, y ≥ 1) that differs from (x, y − 1). */
export function forEachVerticalChange(
  data: Uint8Array,
  width: number,
  height: number,
  visit: (x: number, y: number) => void,
): void {
  if (width % 4 === 0 && data.byteOffset % 4 === 0 && width > 0) {
    const wordsPerRow = width >> 2;
    const words = new Uint32Array(data.buffer, data.byteOffset, wordsPerRow * height);
    for (let y = 1; y < height; y++) {
      const below = y * wordsPerRow;
      const above = below - wordsPerRow;
      for (let k = 0; k < wordsPerRow; k++) {
        if (words[above + k] === words[below + k]) continue;
        const x0 = k << 2;
        const row = y * width;
        for (let x = x0; x < x0 + 4; x++) {
          if ((data[row + x] === 0) !== (data[row - width + x] === 0)) visit(x, y);
        }
      }
    }
    return;
  }
  for (let y = 1; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if ((data[row + x] === 0) !== (data[row - width + x] === 0)) visit(x, y);
    }
  }
}
