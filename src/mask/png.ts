/**
 * A minimal PNG writer for greyscale images without alpha, 8 or 16 bits per sample: what a label
 * map needs and what a canvas can't make (`convertToBlob` always writes 8-bit RGBA). Compression
 * is the platform's zlib (`CompressionStream('deflate')`, in windows and workers alike).
 *
 * Every row uses the "Up" filter: label maps change little from one row to the next, so the
 * filtered bytes are mostly zeros and deflate well.
 */

const SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let crcTable: Uint32Array | null = null;
function crc32(bytes: Uint8Array, crc = 0xffffffff): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  for (let i = 0; i < bytes.length; i++) crc = crcTable[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return crc;
}

/** length, type, data, CRC of type + data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, (crc32(out.subarray(4, 8 + data.length)) ^ 0xffffffff) >>> 0);
  return out;
}

/** The filtered scanlines: a filter byte (2 = Up) then the row, 16-bit samples big-endian. */
function scanlines(samples: Uint8Array | Uint16Array, width: number, height: number, bitDepth: 8 | 16): Uint8Array {
  const rowBytes = width * (bitDepth / 8);
  const out = new Uint8Array(height * (rowBytes + 1));
  let previous = new Uint8Array(rowBytes);
  let row = new Uint8Array(rowBytes);
  for (let y = 0; y < height; y++) {
    const line = samples.subarray(y * width, (y + 1) * width);
    if (bitDepth === 8) row.set(line);
    else for (let x = 0; x < width; x++) (row[2 * x] = line[x] >>> 8), (row[2 * x + 1] = line[x] & 0xff);
    const base = y * (rowBytes + 1);
    out[base] = 2;
    for (let i = 0; i < rowBytes; i++) out[base + 1 + i] = (row[i] - previous[i]) & 0xff;
    [previous, row] = [row, previous];
  }
  return out;
}

async function zlib(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Encodes `samples` (row-major, one per pixel) as a greyscale PNG. With bitDepth 8 every sample
 * must be ≤ 255 (higher values are cut to their low byte, so pick 16 for them).
 */
export async function encodeGreyPng(samples: Uint8Array | Uint16Array, width: number, height: number, bitDepth: 8 | 16): Promise<Blob> {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new RangeError(`Bad PNG size ${width}x${height}`);
  if (samples.length !== width * height) throw new RangeError(`${samples.length} samples for a ${width}x${height} image`);
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = bitDepth;
  header[9] = 0; // colour type 0: greyscale, no alpha
  // compression 0 (deflate), filter method 0, no interlace: all zero.
  const data = await zlib(scanlines(samples, width, height, bitDepth));
  const parts = [SIGNATURE, chunk('IHDR', header), chunk('IDAT', data), chunk('IEND', new Uint8Array(0))];
  return new Blob(parts as Uint8Array<ArrayBuffer>[], { type: 'image/png' });
}
