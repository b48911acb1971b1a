/**
 * The consumer apps' test image: the browser suite's scene (test/helpers.ts), written as a PNG
 * by hand (zlib, no canvas in Node), and its exact ground truth for a click on the red ellipse.
 * With the colour fixture model that click selects every pixel of a red-ish colour: the ellipse
 * and the red twin rectangle.
 */
import { crc32, deflateSync } from 'node:zlib';

export const WIDTH = 640;
export const HEIGHT = 480;
const GREY = [128, 128, 128];
export const SCENE = [
  { kind: 'ellipse', cx: 0.32, cy: 0.42, rx: 0.2, ry: 0.25, colour: [255, 0, 0] },
  { kind: 'rect', cx: 0.75, cy: 0.3, rx: 0.12, ry: 0.15, colour: [220, 25, 25] },
  { kind: 'rect', cx: 0.72, cy: 0.75, rx: 0.14, ry: 0.14, colour: [0, 0, 255] },
];
/** Where the harness clicks (natural pixels) and which shapes the mask must cover. */
export const CLICK = { x: SCENE[0].cx * WIDTH, y: SCENE[0].cy * HEIGHT };
export const EXPECTED_SHAPES = [0, 1];

export function inside(shape, x, y, width = WIDTH, height = HEIGHT) {
  const dx = (x - shape.cx * width) / (shape.rx * width);
  const dy = (y - shape.cy * height) / (shape.ry * height);
  return shape.kind === 'ellipse' ? dx * dx + dy * dy <= 1 : Math.abs(dx) <= 1 && Math.abs(dy) <= 1;
}

/** RGB rows of the scene: every pixel whose centre is inside a shape gets its colour. */
function pixels() {
  const rgb = Buffer.alloc(WIDTH * HEIGHT * 3);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      let colour = GREY;
      for (const shape of SCENE) if (inside(shape, x + 0.5, y + 0.5)) colour = shape.colour;
      rgb.set(colour, 3 * (y * WIDTH + x));
    }
  }
  return rgb;
}

function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** An 8-bit RGB PNG of the scene. */
export function scenePng() {
  const rgb = pixels();
  const rows = Buffer.alloc(HEIGHT * (1 + WIDTH * 3));
  for (let y = 0; y < HEIGHT; y++) rgb.copy(rows, y * (1 + WIDTH * 3) + 1, y * WIDTH * 3, (y + 1) * WIDTH * 3);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(WIDTH, 0);
  header.writeUInt32BE(HEIGHT, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, truecolour, deflate, no filter, no interlace
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}
