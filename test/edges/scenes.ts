/**
 * Generated test images for mask edges, with exact ground truth (not a test file itself).
 *
 * Shapes are polygons and discs with an exact signed distance, so the image can be anti-aliased
 * (coverage = clamp(½ − distance)) or blurred (Gaussian CDF of the distance) like a photo, while
 * the truth stays analytic: a pixel belongs to the object when its centre is inside the topmost
 * shape there and that shape is the object's. Coordinates are fractions of the image size (discs:
 * radius in fractions of the height), so one scene works at 1000×600 and at 4000×3000.
 *
 * DOM-free on purpose: the pure-module tests and the end-to-end tests build the same pixels.
 */
import type { BinaryMask } from '../../src/mask/types.js';
import { seededRandom } from '../mask/helpers.js';

export type Rgb = readonly [number, number, number];

/** `object`: part of the object (default: drawn in the target colour). */
export type EdgeShape =
  | { kind: 'polygon'; points: readonly (readonly [number, number])[]; colour: Rgb; object?: boolean }
  | { kind: 'disc'; cx: number; cy: number; r: number; colour: Rgb; object?: boolean };

export interface EdgeScene {
  name: string;
  background: Rgb;
  shapes: readonly EdgeShape[];
  /** The object: the colour a click selects (the fixture models segment by colour). */
  target: Rgb;
  /** Fixture candidate whose colour radius separates target and background (0: 0.15, 1: 0.35). */
  candidate: 0 | 1;
  /** Edge blur σ in low-res cells (0 = sharp, anti-aliased), and noise amplitude (± levels). */
  blurCells?: number;
  noise?: number;
  /** A point (fractions) on the target, away from edges, for clicks. */
  click: readonly [number, number];
}

export interface RenderedScene {
  width: number;
  height: number;
  /** RGBA, row-major */
  data: Uint8ClampedArray;
  truth: BinaryMask;
}

const RED: Rgb = [220, 40, 40];
const GREY: Rgb = [120, 124, 128];
const TEAL: Rgb = [40, 140, 150];

/** A rectangle of `length` × `thickness` (fractions of the height) centred at (cx, cy), rotated. */
function bar(cx: number, cy: number, length: number, thickness: number, degrees: number, aspect: number): [number, number][] {
  const t = (degrees * Math.PI) / 180;
  const ux = Math.cos(t);
  const uy = Math.sin(t);
  const corners: [number, number][] = [];
  for (const [a, b] of [
    [-1, -1],
    [1, -1],
    [1, 1],
    [-1, 1],
  ]) {
    const along = (a * length) / 2;
    const across = (b * thickness) / 2;
    // In height units, then x back to width fractions.
    const x = cx * aspect + along * ux - across * uy;
    const y = cy + along * uy + across * ux;
    corners.push([x / aspect, y]);
  }
  return corners;
}

function star(cx: number, cy: number, outer: number, inner: number, points: number, aspect: number, turn = 0): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < 2 * points; i++) {
    const radius = i % 2 === 0 ? outer : inner;
    const t = turn + (i * Math.PI) / points;
    out.push([cx + (radius * Math.cos(t)) / aspect, cy + radius * Math.sin(t)]);
  }
  return out;
}

/** Dots 5 cells apart, radius 1.2 cells: dark red inside the disc (cx, cy, r), light grey outside. */
function polkaDots(aspect: number, cx: number, cy: number, r: number): EdgeShape[] {
  const dots: EdgeShape[] = [];
  const spacing = 5 * CELL;
  const radius = 1.2 * CELL;
  for (let y = spacing / 2; y < 1; y += spacing) {
    for (let x = spacing / 2; x < aspect; x += spacing) {
      const d = Math.hypot(x - cx * aspect, y - cy);
      const colour: Rgb | null = d + radius <= r - CELL / 2 ? [170, 30, 30] : d - radius >= r + CELL / 2 ? [150, 150, 150] : null;
      if (colour) dots.push({ kind: 'disc', colour, cx: x / aspect, cy: y, r: radius, object: colour[0] === 170 });
    }
  }
  return dots;
}

/** Cells are 1/256 of each side; one cell of height in height fractions. */
const CELL = 1 / 256;

/**
 * The scenes of the quality harness. All are 4:3-ish-agnostic: `aspect` (width/height) is that
 * of the image the scene is drawn at, so angles and thicknesses are true in pixels.
 */
export function edgeScenes(aspect: number): EdgeScene[] {
  return [
    {
      name: 'sharp',
      background: GREY,
      target: RED,
      candidate: 1,
      click: [0.3, 0.45],
      shapes: [
        { kind: 'polygon', colour: RED, points: bar(0.3, 0.45, 0.5, 0.3, 23, aspect) },
        { kind: 'polygon', colour: RED, points: [[0.6, 0.15], [0.9, 0.3], [0.68, 0.55]] },
        { kind: 'disc', colour: RED, cx: 0.72, cy: 0.75, r: 0.17 },
        { kind: 'polygon', colour: TEAL, points: bar(0.18, 0.82, 0.22, 0.16, -35, aspect) },
      ],
    },
    {
      name: 'bars',
      background: GREY,
      target: RED,
      candidate: 1,
      click: [0.5, 0.5],
      shapes: [
        { kind: 'disc', colour: RED, cx: 0.5, cy: 0.5, r: 0.08 },
        ...[
          [0.2, 0.3, 30, 3],
          [0.8, 0.3, 45, 2.5],
          [0.2, 0.72, 60, 2],
          [0.8, 0.72, 105, 2],
          [0.5, 0.18, 8, 2.5],
          [0.5, 0.85, 172, 3],
        ].map(([cx, cy, degrees, cells]) => ({
          kind: 'polygon' as const,
          colour: RED,
          points: bar(cx, cy, 0.34, cells * CELL * Math.max(1, aspect), degrees, aspect),
        })),
      ],
    },
    {
      name: 'detail',
      background: GREY,
      target: RED,
      candidate: 1,
      click: [0.3, 0.5],
      shapes: [
        { kind: 'polygon', colour: RED, points: star(0.3, 0.5, 0.36, 0.12, 9, aspect, 0.1) },
        // A block with a saw-tooth right edge: teeth 6 cells apart, 10 cells deep.
        {
          kind: 'polygon',
          colour: RED,
          points: [
            [0.62, 0.2],
            ...Array.from({ length: 61 }, (_, i): [number, number] => [0.82 + (i % 2 ? (10 * CELL) / aspect : 0), 0.2 + (i * 0.7) / 60]),
            [0.62, 0.9],
          ],
        },
        ...[0.66, 0.72, 0.78].map((cx, i) => ({ kind: 'disc' as const, colour: GREY, cx, cy: 0.3 + 0.2 * i, r: (1.5 + i) * CELL * 2 })),
      ],
    },
    {
      name: 'noisy',
      background: GREY,
      target: RED,
      candidate: 1,
      noise: 12,
      click: [0.3, 0.45],
      shapes: [
        { kind: 'polygon', colour: RED, points: bar(0.3, 0.45, 0.5, 0.3, 23, aspect) },
        { kind: 'disc', colour: RED, cx: 0.72, cy: 0.6, r: 0.2 },
      ],
    },
    {
      // Texture on both sides of the edge: dark-red dots inside the object (the model includes
      // them: 0.2 from red), light-grey dots outside, some within the band.
      name: 'textured',
      background: GREY,
      target: RED,
      candidate: 1,
      click: [0.4, 0.5],
      shapes: [{ kind: 'disc', colour: RED, cx: 0.4, cy: 0.5, r: 0.3 }, ...polkaDots(aspect, 0.4, 0.5, 0.3)],
    },
    {
      // Low contrast (RGB distance 0.3, half of red on grey) and a blurred edge: no colour edge to snap to.
      name: 'smooth',
      background: [120, 124, 128],
      target: [177, 96, 85],
      candidate: 0,
      blurCells: 2,
      click: [0.4, 0.5],
      shapes: [
        { kind: 'disc', colour: [177, 96, 85], cx: 0.4, cy: 0.5, r: 0.3 },
        { kind: 'polygon', colour: [177, 96, 85], points: bar(0.78, 0.5, 0.5, 0.2, 70, aspect) },
      ],
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Signed distance (px; negative inside)

interface PixelShape {
  colour: Rgb;
  /** signed distance at pixel-space point (x, y) */
  distance(x: number, y: number): number;
  box: { x0: number; y0: number; x1: number; y1: number };
}

function toPixels(shape: EdgeShape, width: number, height: number): PixelShape {
  if (shape.kind === 'disc') {
    const cx = shape.cx * width;
    const cy = shape.cy * height;
    const r = shape.r * height;
    return {
      colour: shape.colour,
      distance: (x, y) => Math.hypot(x - cx, y - cy) - r,
      box: { x0: cx - r, y0: cy - r, x1: cx + r, y1: cy + r },
    };
  }
  const xs = shape.points.map(([x]) => x * width);
  const ys = shape.points.map(([, y]) => y * height);
  const n = xs.length;
  return {
    colour: shape.colour,
    box: { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) },
    distance(x, y) {
      let best = Infinity;
      let inside = false;
      for (let i = 0, j = n - 1; i < n; j = i++) {
        const ax = xs[j];
        const ay = ys[j];
        const ex = xs[i] - ax;
        const ey = ys[i] - ay;
        const t = Math.max(0, Math.min(1, ((x - ax) * ex + (y - ay) * ey) / (ex * ex + ey * ey)));
        const dx = x - (ax + t * ex);
        const dy = y - (ay + t * ey);
        best = Math.min(best, dx * dx + dy * dy);
        // Even-odd crossing of the ray to +x.
        if (ay > y !== ys[i] > y && x < ax + ((y - ay) * ex) / ey) inside = !inside;
      }
      return inside ? -Math.sqrt(best) : Math.sqrt(best);
    },
  };
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26, |error| < 1.5e-7). */
function normalCdf(z: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(z) / Math.SQRT2));
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(z * z) / 2);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Block size of the renderer's inside/outside shortcut. */
const B = 8;

/** Draws a scene at a size: painter's order, each shape blended by its coverage. */
export function renderScene(scene: EdgeScene, width: number, height: number): RenderedScene {
  const colour = new Float32Array(width * height * 3);
  const top = new Int16Array(width * height).fill(-1); // topmost shape containing each pixel centre
  const [br, bg, bb] = scene.background;
  for (let i = 0; i < width * height * 3; i += 3) {
    colour[i] = br;
    colour[i + 1] = bg;
    colour[i + 2] = bb;
  }
  const sigma = (scene.blurCells ?? 0) * (height / 256);
  const reach = sigma > 0 ? 4 * sigma : 1;
  const paint = (i: number, d: number, shape: PixelShape, index: number) => {
    const cover = sigma > 0 ? normalCdf(-d / sigma) : Math.min(1, Math.max(0, 0.5 - d));
    if (d < 0) top[i] = index;
    if (cover <= 0) return;
    for (let c = 0; c < 3; c++) colour[i * 3 + c] += cover * (shape.colour[c] - colour[i * 3 + c]);
  };
  scene.shapes.forEach((shape, index) => {
    const s = toPixels(shape, width, height);
    const x0 = Math.max(0, Math.floor(s.box.x0 - reach));
    const x1 = Math.min(width, Math.ceil(s.box.x1 + reach));
    const y0 = Math.max(0, Math.floor(s.box.y0 - reach));
    const y1 = Math.min(height, Math.ceil(s.box.y1 + reach));
    // Blocks of B×B px: the distance is 1-Lipschitz, so a block whose centre is farther from the
    // edge than its half-diagonal plus the blur's reach is uniformly inside or outside.
    for (let by = y0; by < y1; by += B) {
      for (let bx = x0; bx < x1; bx += B) {
        const ex = Math.min(x1, bx + B);
        const ey = Math.min(y1, by + B);
        const centre = s.distance((bx + ex) / 2, (by + ey) / 2);
        const uniform = Math.abs(centre) > B * Math.SQRT1_2 + reach;
        if (uniform && centre > 0) continue;
        for (let y = by; y < ey; y++) {
          for (let x = bx; x < ex; x++) {
            const i = y * width + x;
            if (!uniform) paint(i, s.distance(x + 0.5, y + 0.5), s, index);
            else {
              top[i] = index;
              colour[i * 3] = s.colour[0];
              colour[i * 3 + 1] = s.colour[1];
              colour[i * 3 + 2] = s.colour[2];
            }
          }
        }
      }
    }
  });
  const data = new Uint8ClampedArray(width * height * 4);
  const random = seededRandom(width * 7919 + height);
  const noise = scene.noise ?? 0;
  for (let i = 0, j = 0; i < data.length; i += 4, j += 3) {
    // Uint8ClampedArray rounds half to even and clamps on its own.
    data[i] = colour[j] + (noise ? (random() * 2 - 1) * noise : 0);
    data[i + 1] = colour[j + 1] + (noise ? (random() * 2 - 1) * noise : 0);
    data[i + 2] = colour[j + 2] + (noise ? (random() * 2 - 1) * noise : 0);
    data[i + 3] = 255;
  }
  const truth = new Uint8Array(width * height);
  const isTarget = Uint8Array.from(scene.shapes, (shape) => ((shape.object ?? shape.colour.every((v, c) => v === scene.target[c])) ? 1 : 0));
  for (let i = 0; i < truth.length; i++) truth[i] = top[i] >= 0 ? isTarget[top[i]] : 0;
  return { width, height, data, truth: { width, height, data: truth } };
}

// ---------------------------------------------------------------------------------------------
// The colour fixture model, in TypeScript (test/fixtures/build-fixtures.mjs, decoder.onnx)

const TAU = [0.15, 0.35, 0.6];
const SCALE = 20;
const CLAMP = 32;

/**
 * The 256×256 logits the colour fixture model gives for one positive click on `target`: the
 * encoder's features are the mean colour of each cell of the squashed image (here: the exact
 * area-weighted mean of the natural pixels the cell covers), and candidate k's logit is
 * clip(20·(τ_k − |C − target|), ±32). Like SAM 2 on a real photo, its edge can only be placed
 * to about a cell.
 */
export function fixtureLogits(image: { width: number; height: number; data: Uint8ClampedArray | Uint8Array }, target: Rgb, candidate: number, size = 256): Float32Array {
  const { width, height, data } = image;
  // Column sums per cell row with fractional pixel weights at the cell borders.
  const weights = (natural: number) => {
    const spans: { from: number; to: number; w: Float64Array }[] = [];
    for (let c = 0; c < size; c++) {
      const a = (c * natural) / size;
      const b = ((c + 1) * natural) / size;
      const from = Math.floor(a);
      const to = Math.min(natural, Math.ceil(b));
      const w = new Float64Array(to - from);
      for (let p = from; p < to; p++) w[p - from] = Math.min(b, p + 1) - Math.max(a, p);
      spans.push({ from, to, w });
    }
    return spans;
  };
  const cols = weights(width);
  const rows = weights(height);
  const rowMeans = new Float64Array(size * 3);
  const logits = new Float32Array(size * size);
  const tau = TAU[candidate];
  for (let i = 0; i < size; i++) {
    const r = rows[i];
    // Weighted sum of the cell row's natural rows, per natural column.
    const line = new Float64Array(width * 3);
    for (let y = r.from; y < r.to; y++) {
      const wy = r.w[y - r.from];
      for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) line[x * 3 + c] += wy * data[(y * width + x) * 4 + c];
    }
    const rowWeight = r.w.reduce((a, b) => a + b, 0);
    for (let j = 0; j < size; j++) {
      const col = cols[j];
      rowMeans.fill(0, 0, 3);
      let weight = 0;
      for (let x = col.from; x < col.to; x++) {
        const wx = col.w[x - col.from];
        weight += wx;
        for (let c = 0; c < 3; c++) rowMeans[c] += wx * line[x * 3 + c];
      }
      const norm = 1 / (weight * rowWeight * 255);
      const d = Math.hypot(rowMeans[0] * norm - target[0] / 255, rowMeans[1] * norm - target[1] / 255, rowMeans[2] * norm - target[2] / 255);
      logits[i * size + j] = Math.max(-CLAMP, Math.min(CLAMP, SCALE * (tau - d)));
    }
  }
  return logits;
}
