// Main-thread floor of the overlay: the element's own OverlayPainter (imported unmodified from
// src/) painting a full-resolution mask into an 800 px wide canvas, as after every mask-change.
// bench/run.mjs bundles this with esbuild into bench/results/tmp/paint.probe.js.
import { OverlayPainter } from '../src/render/overlay.ts';

const MASK_COLOR = [30, 144, 255];
const STYLE = {
  maskOpacity: 0.45,
  outlineColor: [255, 255, 255],
  outlineWidth: 2,
  positiveColor: '#16a34a',
  negativeColor: '#dc2626',
  boxColor: '#facc15',
};

/** An ellipse covering ~40% of the image: the kind of mask a click gives. */
function ellipseMask(width, height) {
  const data = new Uint8Array(width * height);
  const cx = width * 0.45;
  const cy = height * 0.5;
  const rx = width * 0.38;
  const ry = height * 0.36;
  for (let y = 0; y < height; y++) {
    const dy = (y + 0.5 - cy) / ry;
    if (Math.abs(dy) > 1) continue;
    const half = rx * Math.sqrt(1 - dy * dy);
    data.fill(1, y * width + Math.max(0, Math.round(cx - half)), y * width + Math.min(width, Math.round(cx + half)));
  }
  return { width, height, data };
}

window.paintProbe = async (sizes, reps = 5, cssWidth = 800) => {
  const out = {};
  for (const [width, height] of sizes) {
    const canvas = document.createElement('canvas');
    const cssHeight = Math.round((cssWidth * height) / width);
    canvas.style.cssText = `width:${cssWidth}px;height:${cssHeight}px;display:block`;
    document.body.append(canvas);
    const painter = new OverlayPainter(canvas);
    painter.resize(cssWidth, cssHeight, 1);
    const mask = ellipseMask(width, height);
    // One object, active (outlined): what the overlay paints after a click without `multiple`.
    const view = { rect: { x: 0, y: 0, width: cssWidth, height: cssHeight }, width, height };
    const scene = { view, masks: [{ mask, color: MASK_COLOR, outline: true }], points: [{ x: width * 0.45, y: height * 0.5, label: 1 }], box: null };
    const samples = [];
    for (let i = 0; i < reps; i++) {
      const t = performance.now();
      painter.paint(scene, STYLE, 1);
      samples.push(performance.now() - t);
    }
    // What a mask-change listener pays to touch the full-resolution data once (e.g. an area count).
    const t = performance.now();
    let area = 0;
    for (let i = 0; i < mask.data.length; i++) area += mask.data[i];
    const scanMs = performance.now() - t;
    canvas.remove();
    out[`${width}x${height}`] = { paintMs: samples, scanMs, area };
  }
  return out;
};
