/**
 * 8-connected component search, the connectivity of SAM 2's `get_connected_components`
 * (sam2/csrc/connected_components.cu merges 2×2 blocks with their diagonal neighbours).
 * Internal helper of cleanup.ts; sized for SAM 2's 256×256 low-res logits.
 */

/**
 * Indices of every member pixel that belongs to an 8-connected component of `member` pixels
 * (member[i] !== 0) whose area is ≤ maxArea. Components touching the image border count like any
 * other, as in the official code.
 */
export function smallComponentPixels(member: Uint8Array, width: number, height: number, maxArea: number): Int32Array {
  const n = width * height;
  const visited = new Uint8Array(n);
  // One buffer serves as the flood-fill queue AND the result: pixels of small components stay
  // packed at the front ([0, kept)), pixels of large ones are overwritten by the next flood.
  const queue = new Int32Array(n);
  let kept = 0;
  for (let seed = 0; seed < n; seed++) {
    if (member[seed] === 0 || visited[seed] !== 0) continue;
    visited[seed] = 1;
    let end = kept;
    queue[end++] = seed;
    for (let read = kept; read < end; read++) {
      const p = queue[read];
      const x = p % width;
      const y = (p - x) / width;
      const yFrom = y > 0 ? y - 1 : y;
      const yTo = y < height - 1 ? y + 1 : y;
      const xFrom = x > 0 ? x - 1 : x;
      const xTo = x < width - 1 ? x + 1 : x;
      for (let ny = yFrom; ny <= yTo; ny++) {
        for (let nx = xFrom; nx <= xTo; nx++) {
          const q = ny * width + nx;
          if (member[q] !== 0 && visited[q] === 0) {
            visited[q] = 1;
            queue[end++] = q;
          }
        }
      }
    }
    if (end - kept <= maxArea) kept = end;
  }
  return queue.subarray(0, kept);
}
