/** Child processes for the consumer runner: commands with a log, servers that are waited for and stopped. */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs a command to completion; its output goes to `logFile`. Resolves with its stdout; rejects
 * with the output's tail on a non-zero exit or after `timeoutMs`.
 */
export function run(command, args, { cwd, logFile, env = {}, timeoutMs = 10 * 60_000 }) {
  return new Promise((resolve, reject) => {
    const log = createWriteStream(logFile, { flags: 'a' });
    log.write(`\n$ ${command} ${args.join(' ')}  (in ${cwd})\n`);
    const tail = [];
    let stdout = '';
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const collect = (data) => {
      log.write(data);
      tail.push(String(data));
      if (tail.length > 40) tail.shift();
    };
    child.stdout.on('data', (data) => {
      stdout += data;
      collect(data);
    });
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      collect(`\n[timed out after ${timeoutMs} ms]\n`);
      stopTree(child);
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      log.end();
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${tail.join('').slice(-3000)}`));
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      log.end();
      reject(error);
    });
  });
}

/** Stops a process started with `detached: true` and everything it started (its process group). */
function stopTree(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    child.kill('SIGTERM');
  }
}

/**
 * Starts a long-running server and resolves once `url` answers (any HTTP status below 500).
 * Returns `stop()`, which ends the server's whole process group.
 */
export async function startServer(command, args, { cwd, logFile, url, env = {}, timeoutMs = 120_000 }) {
  const log = createWriteStream(logFile, { flags: 'a' });
  log.write(`\n$ ${command} ${args.join(' ')}  (in ${cwd})\n`);
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  let exited = null;
  child.on('close', (code) => (exited = code));
  const stop = () =>
    new Promise((resolve) => {
      if (exited !== null) return resolve();
      child.on('close', () => resolve());
      stopTree(child);
      setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
        resolve();
      }, 5000).unref();
    });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== null) throw new Error(`${command} ${args.join(' ')} exited with ${exited} before serving ${url} (log: ${logFile})`);
    try {
      const response = await fetch(url);
      if (response.status < 500) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${url} did not answer within ${timeoutMs} ms (log: ${logFile})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return { stop };
}
