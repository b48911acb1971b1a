// A small static file server for the demo and the benchmark: cross-origin isolation headers (so
// onnxruntime gets WASM threads), CORS + CORP (so pages on other origins can use the files),
// HTTP Range support, and extra mount points (e.g. a folder of model files).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.onnx': 'application/octet-stream',
  '.ort': 'application/octet-stream',
};

/**
 * @param {{ root: string, mounts?: Record<string, string>, isolate?: boolean, log?: (line: string) => void }} options
 *   mounts: URL prefix (e.g. '/models/') → folder
 */
export function createStaticServer({ root, mounts = {}, isolate = true, log }) {
  const resolveFile = (pathname) => {
    for (const [prefix, folder] of Object.entries(mounts)) {
      if (pathname.startsWith(prefix)) return safeJoin(folder, pathname.slice(prefix.length));
    }
    return safeJoin(root, pathname);
  };
  return createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let pathname = decodeURIComponent(url.pathname);
    if (pathname.endsWith('/')) pathname += 'index.html';
    if (isolate) {
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    }
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Length, Content-Range, Accept-Ranges');
    res.setHeader('Cache-Control', 'no-cache');
    const file = resolveFile(pathname);
    let info;
    try {
      info = file && (await stat(file));
    } catch {
      info = null;
    }
    if (!info || !info.isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      log?.(`404 ${pathname}`);
      return;
    }
    const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    res.setHeader('Content-Type', type);
    res.setHeader('Accept-Ranges', 'bytes');
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    if (range && (range[1] || range[2])) {
      let start = range[1] ? Number(range[1]) : info.size - Number(range[2]);
      let end = range[1] && range[2] ? Math.min(Number(range[2]), info.size - 1) : info.size - 1;
      start = Math.max(0, start);
      if (start > end || start >= info.size) {
        res.writeHead(416, { 'Content-Range': `bytes */${info.size}` }).end();
        return;
      }
      res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${info.size}`, 'Content-Length': end - start + 1 });
      if (req.method === 'HEAD') return res.end();
      createReadStream(file, { start, end }).pipe(res);
      return;
    }
    res.writeHead(200, { 'Content-Length': info.size });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  });
}

function safeJoin(folder, pathname) {
  const full = normalize(join(folder, pathname));
  return full.startsWith(resolve(folder)) ? full : null;
}
