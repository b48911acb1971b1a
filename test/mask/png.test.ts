import { expect } from '@esm-bundle/chai';
import { encodeGreyPng } from '../../src/mask/png.js';
import { readPng } from './png-reader.js';

/** Pixels as the browser's own PNG decoder sees them (red channel of a canvas read-back). */
async function browserDecoded(blob: Blob): Promise<{ width: number; height: number; grey: number[]; opaque: boolean }> {
  const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const g = canvas.getContext('2d')!;
  g.drawImage(bitmap, 0, 0);
  const { data } = g.getImageData(0, 0, bitmap.width, bitmap.height);
  const grey: number[] = [];
  let opaque = true;
  for (let i = 0; i < data.length; i += 4) {
    grey.push(data[i]);
    if (data[i] !== data[i + 1] || data[i] !== data[i + 2]) throw new Error('not grey');
    if (data[i + 3] !== 255) opaque = false;
  }
  return { width: bitmap.width, height: bitmap.height, grey, opaque };
}

describe('mask/png: greyscale PNG writer', () => {
  it('writes an 8-bit greyscale PNG without alpha that reads back sample for sample', async () => {
    const [width, height] = [37, 23];
    const samples = new Uint8Array(width * height);
    for (let i = 0; i < samples.length; i++) samples[i] = (i * 7919 + (i >> 5) * 13) % 256;
    const blob = await encodeGreyPng(samples, width, height, 8);
    expect(blob.type).to.equal('image/png');
    const png = await readPng(blob);
    expect([png.width, png.height, png.bitDepth, png.colourType]).to.deep.equal([width, height, 8, 0]);
    expect(png.chunks).to.deep.equal(['IHDR', 'IDAT', 'IEND']);
    expect(Array.from(png.samples)).to.deep.equal(Array.from(samples));
    const seen = await browserDecoded(blob);
    expect([seen.width, seen.height, seen.opaque]).to.deep.equal([width, height, true]);
    expect(seen.grey).to.deep.equal(Array.from(samples));
  });

  it('writes a 16-bit greyscale PNG (big-endian samples) that reads back exactly, and the browser decodes it', async () => {
    const [width, height] = [19, 11];
    const samples = new Uint16Array(width * height);
    for (let i = 0; i < samples.length; i++) samples[i] = (i * 40503 + 257) % 65536;
    samples[0] = 65535;
    samples[1] = 256;
    samples[2] = 255;
    const blob = await encodeGreyPng(samples, width, height, 16);
    const png = await readPng(blob);
    expect([png.width, png.height, png.bitDepth, png.colourType]).to.deep.equal([width, height, 16, 0]);
    expect(Array.from(png.samples)).to.deep.equal(Array.from(samples));
    const seen = await browserDecoded(blob);
    expect([seen.width, seen.height, seen.opaque]).to.deep.equal([width, height, true]);
    // A canvas holds 8 bits: the browser reduces each sample to about its high byte.
    seen.grey.forEach((value, i) => expect(Math.abs(value - samples[i] / 257), `pixel ${i}`).to.be.at.most(1));
  });

  it('compresses a label-like image (large flat regions) well', async () => {
    const [width, height] = [1000, 800];
    const samples = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) samples[y * width + x] = x < 400 ? 1 : y < 300 ? 2 : 0;
    const blob = await encodeGreyPng(samples, width, height, 8);
    expect(blob.size).to.be.below(20_000);
    expect(Array.from((await readPng(blob)).samples.subarray(0, 5))).to.deep.equal([1, 1, 1, 1, 1]);
  });

  it('refuses samples that do not match the size', async () => {
    let error: unknown;
    await encodeGreyPng(new Uint8Array(5), 2, 2, 8).catch((e) => (error = e));
    expect(error).to.be.instanceOf(RangeError);
  });
});
