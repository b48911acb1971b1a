/**
 * Douglas–Peucker simplification for CLOSED rings (flat x,y arrays, last vertex implicitly joined
 * to the first). Open-polyline DP needs two fixed endpoints; a ring has none, so we pin two that
 * are certainly significant — vertex 0 and the vertex farthest from it — and simplify the two
 * chains between them independently.
 */

/** Squared distance from (px, py) to the segment (ax, ay)–(bx, by). */
function segmentDistanceSq(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const lengthSq = dx * dx + dy * dy;
  // Segment distance (not line distance), so a spike that doubles back past an endpoint is kept.
  let t = lengthSq === 0 ? 0 : ((px - ax) * dx + (py - ay) * dy) / lengthSq;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const ex = ax + t * dx - px;
  const ey = ay + t * dy - py;
  return ex * ex + ey * ey;
}

/**
 * Marks in `keep` the vertices of chain first..last (indices modulo n, first/last already kept)
 * that DP retains at squared tolerance `toleranceSq`. Iterative, so long rings cannot overflow
 * the call stack.
 */
function markChain(
  ring: ArrayLike<number>,
  n: number,
  first: number,
  last: number,
  toleranceSq: number,
  keep: Uint8Array,
): void {
  // Work in "unrolled" indices (last may be < first around the ring) and wrap on access.
  const end = last > first ? last : last + n;
  const stack: number[] = [first, end];
  while (stack.length > 0) {
    const b = stack.pop() as number;
    const a = stack.pop() as number;
    if (b - a < 2) continue;
    const ia = (a % n) * 2;
    const ib = (b % n) * 2;
    let farthest = -1;
    let farthestSq = -1;
    for (let k = a + 1; k < b; k++) {
      const ik = (k % n) * 2;
      const d = segmentDistanceSq(ring[ik], ring[ik + 1], ring[ia], ring[ia + 1], ring[ib], ring[ib + 1]);
      if (d > farthestSq) {
        farthestSq = d;
        farthest = k;
      }
    }
    if (farthestSq > toleranceSq) {
      keep[farthest % n] = 1;
      stack.push(a, farthest, farthest, b);
    }
  }
}

/** Twice the signed area (shoelace sum); 0 for a degenerate ring. */
export function ringSignedArea2(ring: ArrayLike<number>): number {
  let sum = 0;
  const n = ring.length / 2;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    sum += ring[j * 2] * ring[i * 2 + 1] - ring[i * 2] * ring[j * 2 + 1];
  }
  return sum;
}

/**
 * Simplify a closed ring with Douglas–Peucker at `tolerance` (max distance, in pixels, of a dropped
 * vertex from the simplified outline). At tolerance 0 only vertices lying exactly on the segment
 * between their kept neighbours (collinear ones) are removed.
 *
 * The result never has fewer than 3 vertices: if DP keeps only the two anchors, the vertex
 * farthest from them is kept as well, so small specks shrink to triangles instead of vanishing.
 * Returns null for a ring that is degenerate even then (fewer than 3 vertices or zero area).
 */
export function simplifyRing(ring: readonly number[], tolerance: number): number[] | null {
  const n = ring.length >> 1;
  if (n < 3) return null;
  const toleranceSq = tolerance > 0 ? tolerance * tolerance : 0;

  let anchor = 0;
  let anchorDistSq = -1;
  for (let i = 1; i < n; i++) {
    const dx = ring[i * 2] - ring[0];
    const dy = ring[i * 2 + 1] - ring[1];
    const d = dx * dx + dy * dy;
    if (d > anchorDistSq) {
      anchorDistSq = d;
      anchor = i;
    }
  }

  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[anchor] = 1;
  markChain(ring, n, 0, anchor, toleranceSq, keep);
  markChain(ring, n, anchor, 0, toleranceSq, keep);

  let kept = 0;
  for (let i = 0; i < n; i++) kept += keep[i];
  if (kept < 3) {
    // Keep the most significant third vertex: the one farthest from the anchor chord.
    let best = -1;
    let bestSq = -1;
    const ia = anchor * 2;
    for (let i = 1; i < n; i++) {
      if (i === anchor) continue;
      const d = segmentDistanceSq(ring[i * 2], ring[i * 2 + 1], ring[0], ring[1], ring[ia], ring[ia + 1]);
      if (d > bestSq) {
        bestSq = d;
        best = i;
      }
    }
    if (best < 0) return null;
    keep[best] = 1;
  }

  const out: number[] = [];
  for (let i = 0; i < n; i++) if (keep[i] !== 0) out.push(ring[i * 2], ring[i * 2 + 1]);
  if (out.length < 6 || ringSignedArea2(out) === 0) return null;
  return out;
}
