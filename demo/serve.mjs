#!/usr/bin/env node
// `npm start`: serves the repository (demo/, dist/) with COOP/COEP so WASM threads work.
//   PORT=8080 npm start          choose the port (default 8000, or the next free one)
//   MODELS=/path/to/models       also serve that folder at /models/
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { createStaticServer } from '../scripts/static-server.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const mounts = {};
if (process.env.MODELS) mounts['/models/'] = resolve(process.env.MODELS);
const server = createStaticServer({ root, mounts });
let port = Number(process.env.PORT) || 8000;
server.on('error', (error) => {
  if (error.code === 'EADDRINUSE' && !process.env.PORT) {
    server.listen(++port, '127.0.0.1');
  } else {
    throw error;
  }
});
server.on('listening', () => {
  console.log(`sam2-segmenter demo: http://localhost:${port}/demo/`);
  if (mounts['/models/']) console.log(`models from ${mounts['/models/']} at http://localhost:${port}/models/`);
});
server.listen(port, '127.0.0.1');
