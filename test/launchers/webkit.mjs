/**
 * A @web/test-runner browser launcher for WebKitGTK, driven over W3C WebDriver by Debian's
 * WebKitWebDriver (package webkit2gtk-driver) with its MiniBrowser, under a virtual X display
 * (xvfb-run: MiniBrowser has no headless mode). Plain HTTP, no npm driver package: nothing here
 * downloads a browser. One browser for the whole run; each test file is one navigation.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

const MINIBROWSER = [
  '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
  '/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
  '/usr/lib/x86_64-linux-gnu/webkitgtk-6.0/MiniBrowser',
];

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function webkitLauncher({ binary = process.env.WEBKIT_MINIBROWSER ?? MINIBROWSER.find((path) => existsSync(path)) } = {}) {
  let driver = null;
  let base = null;
  let session = null;
  const active = new Map();
  let queue = Promise.resolve();

  async function command(method, path, body) {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await response.json();
    if (!response.ok) throw new Error(`WebDriver ${method} ${path}: ${JSON.stringify(json.value ?? json)}`);
    return json.value;
  }

  async function start() {
    if (!binary) throw new Error('No WebKitGTK MiniBrowser found: apt-get install webkit2gtk-driver (or set WEBKIT_MINIBROWSER)');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // Its own process group, so stop() ends xvfb-run, Xvfb, the driver and the browser together.
    driver = spawn('xvfb-run', ['-a', 'WebKitWebDriver', `--port=${port}`], { detached: true, stdio: 'ignore' });
    for (let i = 0; ; i++) {
      try {
        await command('GET', '/status');
        break;
      } catch (error) {
        if (i > 100) throw new Error(`WebKitWebDriver did not start: ${error.message}`);
        await sleep(100);
      }
    }
    const created = await command('POST', '/session', {
      capabilities: { alwaysMatch: { 'webkitgtk:browserOptions': { binary, args: ['--automation'] } } },
    });
    session = created.sessionId;
  }

  return {
    name: 'WebKit',
    type: 'webdriver',
    concurrency: 1,
    async initialize() {},
    async stop() {
      if (session) await command('DELETE', `/session/${session}`).catch(() => {});
      session = null;
      if (driver?.pid) {
        try {
          process.kill(-driver.pid, 'SIGTERM');
        } catch {
          /* already gone */
        }
      }
      driver = null;
    },
    startSession(id, url) {
      // One page: navigations one after another.
      const run = queue.then(async () => {
        if (!session) await start();
        active.set(id, url);
        await command('POST', `/session/${session}/url`, { url });
      });
      queue = run.catch(() => {});
      return run;
    },
    isActive: (id) => active.has(id),
    async getBrowserUrl(id) {
      if (!active.has(id)) return undefined;
      return command('GET', `/session/${session}/url`).catch(() => active.get(id));
    },
    async stopSession(id) {
      active.delete(id);
      await command('POST', `/session/${session}/url`, { url: 'about:blank' }).catch(() => {});
      return {};
    },
    async startDebugSession() {
      throw new Error('No debug sessions for WebKitGTK');
    },
  };
}
