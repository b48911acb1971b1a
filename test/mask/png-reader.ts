/**
 * A strict PNG reader for the tests (greyscale, 8 or 16 bit, non-interlaced): checks the
 * signature, every chunk's CRC, IHDR, and undoes all five filter types, so a file the writer
 * gets wrong fails here independently of how a browser would forgive it.
 */
export interface DecodedPng {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  chunks: string[];
  samples: Uint16Array;
}

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export async function readPng(blob: Blob): Promise<DecodedPng> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (!signature.every((b, i) => bytes[i] === b)) throw new Error('not a PNG signature');
  const view = new DataView(bytes.buffer);
  const chunks: string[] = [];
  const idat: Uint8Array[] = [];
  let header: { width: number; height: number; bitDepth: number; colourType: number; interlace: number } | null = null;
  for (let at = 8; at < bytes.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length)) throw new Error(`bad CRC in ${type}`);
    chunks.push(type);
    if (type === 'IHDR') {
      const h = new DataView(data.buffer, data.byteOffset, data.length);
      header = { width: h.getUint32(0), height: h.getUint32(4), bitDepth: data[8], colourType: data[9], interlace: data[12] };
    } else if (type === 'IDAT') idat.push(data);
    at += 12 + length;
    if (type === 'IEND') {
      if (at !== bytes.length) throw new Error('bytes after IEND');
      break;
    }
  }
  if (!header || chunks[0] !== 'IHDR' || chunks.at(-1) !== 'IEND') throw new Error('missing IHDR or IEND');
  if (header.interlace !== 0) throw new Error('interlaced');
  const inflated = new Uint8Array(await new Response(new Blob(idat as Uint8Array<ArrayBuffer>[]).stream().pipeThrough(new DecompressionStream('deflate'))).arrayBuffer());
  const bpp = header.bitDepth / 8;
  const rowBytes = header.width * bpp;
  if (inflated.length !== header.height * (rowBytes + 1)) throw new Error(`inflated ${inflated.length} bytes, expected ${header.height * (rowBytes + 1)}`);
  const samples = new Uint16Array(header.width * header.height);
  let previous = new Uint8Array(rowBytes);
  for (let y = 0; y < header.height; y++) {
    const filter = inflated[y * (rowBytes + 1)];
    const row = inflated.slice(y * (rowBytes + 1) + 1, (y + 1) * (rowBytes + 1));
    for (let i = 0; i < rowBytes; i++) {
      const a = i >= bpp ? row[i - bpp] : 0;
      const b = previous[i];
      const c = i >= bpp ? previous[i - bpp] : 0;
      const paeth = () => {
        const p = a + b - c;
        const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      };
      const add = [0, a, b, (a + b) >> 1, 0][filter] ?? NaN;
      if (filter > 4) throw new Error(`filter ${filter}`);
      row[i] = (row[i] + (filter === 4 ? paeth() : add)) & 0xff;
    }
    for (let x = 0; x < header.width; x++) samples[y * header.width + x] = bpp === 2 ? (row[2 * x] << 8) | row[2 * x + 1] : row[x];
    previous = row;
  }
  return { ...header, chunks, samples };
}
