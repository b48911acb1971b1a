import { expect } from '@esm-bundle/chai';
import { decodeImage, toModelInput } from '../../src/worker/preprocess.js';
import { bilinearTaps, resizeNormalize } from '../reference/torchvision-resize.js';

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];
const PLANE = 1024 * 1024;

/** Model-input value at (x, y) of channel c, back in 0..255. */
const rgbAt = (input: Float32Array, x: number, y: number) =>
  [0, 1, 2].map((c) => (input[c * PLANE + y * 1024 + x] * STD[c] + MEAN[c]) * 255);

async function detailedImage(width: number, height: number): Promise<ImageBitmap> {
  const canvas = new OffscreenCanvas(width, height);
  const g = canvas.getContext('2d')!;
  const gradient = g.createLinearGradient(0, 0, width, height);
  gradient.addColorStop(0, '#8ecae6');
  gradient.addColorStop(1, '#9c6644');
  g.fillStyle = gradient;
  g.fillRect(0, 0, width, height);
  for (let i = 0; i < 3000; i++) {
    g.fillStyle = `hsl(${(i * 37) % 360} 60% ${30 + (i % 40)}%)`;
    g.fillRect((i * 7919) % width, (i * 104729) % height, 3 + (i % 9), 2 + (i % 7));
  }
  return createImageBitmap(canvas);
}

/** A JPEG with an EXIF APP1 segment carrying only the Orientation tag. */
async function jpegWithOrientation(canvas: OffscreenCanvas, orientation: number): Promise<Blob> {
  const jpeg = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.95 })).arrayBuffer());
  const tiff = [0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0];
  const payload = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff]; // "Exif\0\0" + TIFF
  const length = payload.length + 2;
  const app1 = [0xff, 0xe1, length >> 8, length & 0xff, ...payload];
  // After the JFIF APP0 segment when there is one (Firefox's encoder writes it, and its decoder
  // refuses an APP1 before it); else right after SOI.
  const at = jpeg[2] === 0xff && jpeg[3] === 0xe0 ? 4 + ((jpeg[4] << 8) | jpeg[5]) : 2;
  return new Blob([jpeg.slice(0, at), new Uint8Array(app1), jpeg.slice(at)], { type: 'image/jpeg' });
}

describe('image pre-processing', () => {
  it('reference filter: 4 -> 2 antialiased bilinear weights are PIL/torchvision triangle taps', () => {
    const taps = bilinearTaps(4, 2);
    expect(Array.from(taps.start)).to.deep.equal([0, 1]);
    expect(Array.from(taps.count)).to.deep.equal([3, 3]);
    const w = Array.from(taps.weights.slice(0, 3));
    [3 / 7, 3 / 7, 1 / 7].forEach((expected, i) => expect(w[i]).to.be.closeTo(expected, 1e-6));
  });

  it('squashes to 1024x1024 (no crop, no letterbox): image edges land on the frame edges', async () => {
    // 2000x500: left half red, right half blue, a green strip in the last 8 px rows.
    const canvas = new OffscreenCanvas(2000, 500);
    const g = canvas.getContext('2d')!;
    g.fillStyle = '#ff0000';
    g.fillRect(0, 0, 1000, 500);
    g.fillStyle = '#0000ff';
    g.fillRect(1000, 0, 1000, 500);
    g.fillStyle = '#00ff00';
    g.fillRect(0, 492, 2000, 8);
    const input = toModelInput(await createImageBitmap(canvas));
    expect(input.length).to.equal(3 * PLANE);
    const near = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]) < 2);
    expect(near(rgbAt(input, 2, 2), [255, 0, 0]), 'top-left is red').to.equal(true);
    expect(near(rgbAt(input, 1021, 2), [0, 0, 255]), 'top-right is blue').to.equal(true);
    expect(near(rgbAt(input, 500, 1022), [0, 255, 0]), 'bottom rows are the green strip (8 px -> 16 rows)').to.equal(true);
    expect(near(rgbAt(input, 500, 1000), [255, 0, 0]), 'above the strip is red').to.equal(true);
  });

  for (const [width, height] of [
    [4000, 3000],
    [600, 1000],
  ]) {
    it(`the fast canvas resize matches torchvision's antialiased bilinear within 0.5/255 on average (${width}x${height})`, async () => {
      const bitmap = await detailedImage(width, height);
      const canvas = new OffscreenCanvas(width, height);
      const g = canvas.getContext('2d', { willReadFrequently: true })!;
      g.drawImage(bitmap, 0, 0);
      const reference = resizeNormalize(g.getImageData(0, 0, width, height).data, width, height, 1024, 1024);
      const fast = toModelInput(bitmap);
      let sum = 0;
      for (let c = 0; c < 3; c++) {
        for (let i = 0; i < PLANE; i++) sum += Math.abs(fast[c * PLANE + i] - reference[c * PLANE + i]) * STD[c] * 255;
      }
      const mae = sum / (3 * PLANE);
      expect(mae, `mean abs error ${mae.toFixed(3)} grey levels`).to.be.below(0.5);
    });
  }

  it('applies EXIF orientation: a 300x200 JPEG with orientation 6 decodes as 200x300', async () => {
    const canvas = new OffscreenCanvas(300, 200);
    const g = canvas.getContext('2d')!;
    g.fillStyle = '#ff0000';
    g.fillRect(0, 0, 150, 200); // left half red (becomes the top half after a 90° clockwise turn)
    g.fillStyle = '#0000ff';
    g.fillRect(150, 0, 150, 200);
    const bitmap = await decodeImage({ kind: 'blob', blob: await jpegWithOrientation(canvas, 6) });
    expect([bitmap.width, bitmap.height]).to.deep.equal([200, 300]);
    const input = toModelInput(bitmap);
    const [r, , b] = rgbAt(input, 512, 100);
    expect(r).to.be.above(200);
    expect(b).to.be.below(60);
  });

  it('rejects bytes that are not an image with image-load-failed', async () => {
    const error = await decodeImage({ kind: 'blob', blob: new Blob(['not an image'], { type: 'image/png' }) }).catch((e) => e);
    expect(error.code).to.equal('image-load-failed');
  });
});
