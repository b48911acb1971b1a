// What the loading status bar costs the page while the encoder runs: renderer CPU (this browser's
// process tree, from /proc) per second of a 6 px bar animated each way the element could animate
// it. On 2 cores every CPU-second the page spends is taken from onnxruntime's two threads.
//   node bench/status-animation.mjs [--pill] [--only a,b] [--seconds 6] [--repeat 1]
// --no-blur: the pill without its backdrop-filter (what the element shows while an encode's bar moves).
// --pill puts the bar in the element's status pill (backdrop-filter: blur over the image), as the
// element shows it. The clock* variants are the element's way since round 3
// (src/controllers/loading-clock.ts): a timer sets the custom property --_bar through the CSSOM
// on the bar and the fill is `transform: translateX(calc((var(--_bar) - 1) * 100%))`, no CSS
// animation or transition.
import puppeteer from 'puppeteer-core';
import { readFileSync, readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: { pill: { type: 'boolean', default: false }, 'no-blur': { type: 'boolean', default: false }, only: { type: 'string' }, seconds: { type: 'string', default: '6' }, repeat: { type: 'string', default: '1' } },
});
const FILL = 'transform: translateX(calc((var(--_bar, 0) - 1) * 100%));';
// css: the fill's rule; clock: [tick ms, what --_bar is at elapsed ms] for a timer variant.
const estimate = (t) => 0.02 + 0.9 * (1 - Math.exp(-t / 4000)); // changes every tick, like the element's fill
const variants = {
  none: { css: '' },
  widthBezier: { css: 'animation: a-est 8s cubic-bezier(0.25,0.6,0.35,1) both;' },
  widthSteps: { css: 'animation: a-est 8s steps(24, end) both;' },
  sweep: { css: 'width:35%; animation: a-sweep 1.4s ease-in-out infinite;' },
  sweepSteps: { css: 'width:35%; animation: a-sweep 1.4s steps(7, end) infinite;' },
  pulse: { css: 'width:100%; animation: a-pulse 2.4s ease-in-out infinite;' },
  timer4hz: { legacy: 250 },
  timer2hz: { legacy: 500 },
  clockWidth4hz: { css: 'width: calc(var(--_bar, 0) * 100%);', clock: [250, 'estimate'] },
  clockTranslate4hz: { css: FILL, clock: [250, 'estimate'] },
  clockTranslate2hz: { css: FILL, clock: [500, 'estimate'] },
  clockSweep4hz: { css: 'width:35%; transform: translateX(calc(var(--_bar, 0) * 390% - 100%));', clock: [250, 'sweep'] },
  clockPulse4hz: { css: 'width:100%; opacity: var(--_bar, 1);', clock: [250, 'pulse'] },
};
const only = opts.only ? new Set(opts.only.split(',')) : null;
let ROOT = 0;
function cpu() {
  const info = new Map();
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try { const s = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' '); info.set(+p, { ppid: +s[1], t: +s[11] + +s[12] }); } catch {}
  }
  const inTree = (p) => { for (let i = 0; i < 10 && p > 1; i++) { if (p === ROOT) return true; p = info.get(p)?.ppid ?? 0; } return false; };
  let t = 0; for (const [p, v] of info) if (inTree(p)) t += v.t;
  return t / 100;
}
const browser = await puppeteer.launch({ executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
ROOT = browser.process().pid;
const page = await browser.newPage();
const image = `<div class=img style="width:800px;height:600px;background:linear-gradient(135deg,#c84,#48c)"></div>`;
const pillCss = opts.pill
  ? `.wrap{position:relative;width:800px}.pill{position:absolute;left:12px;right:12px;bottom:12px;padding:8px 10px;border-radius:8px;background:color-mix(in srgb,Canvas ${opts['no-blur'] ? 92 : 82}%,transparent);${opts['no-blur'] ? '' : 'backdrop-filter:blur(6px);'}box-shadow:0 1px 3px rgb(0 0 0/.25);font:13px system-ui}`
  : '';
const bar = '<div class=p><div></div></div>';
const body = opts.pill ? `<div class=wrap>${image}<div class=pill><div>Analysing image… about 7 s</div>${bar}</div></div>` : `${bar}${image}`;
const seconds = Number(opts.seconds);
console.log(`bar ${opts.pill ? `in the status pill${opts['no-blur'] ? ' (no blur)' : ''} over an image` : 'alone above an image'}, ${seconds} s per variant, ${opts.repeat} repeat(s)`);
// The browser's own start-up work is over before the first variant is measured.
await page.setContent('<p>warm-up</p>');
await new Promise((r) => setTimeout(r, 3000));
for (let r = 0; r < Number(opts.repeat); r++) {
  for (const [name, v] of Object.entries(variants)) {
    if (only && !only.has(name)) continue;
    await page.setContent(`<style>@keyframes a-est{from{width:2%}to{width:92%}} @keyframes a-sweep{from{transform:translateX(-100%)}to{transform:translateX(290%)}} @keyframes a-pulse{50%{opacity:.35}}
     body{margin:0} .p{position:relative;height:6px;${opts.pill ? '' : 'width:600px;'}overflow:hidden;border-radius:3px;background:#ddd}.p>div{height:100%;border-radius:inherit;background:#36f;${v.css ?? ''}}${pillCss}</style>${body}`);
    if (v.legacy) await page.evaluate((ms) => { const d = document.querySelector('.p>div'); let i = 0; setInterval(() => { i++; d.style.width = (2 + (i % 40) * 2) + '%'; }, ms); }, v.legacy);
    if (v.clock) {
      await page.evaluate(([ms, kind, estimateSrc]) => {
        const estimate = new Function(`return ${estimateSrc}`)();
        const bar = document.querySelector('.p');
        const start = performance.now();
        const at = (t) => (kind === 'estimate' ? estimate(t) : kind === 'sweep' ? ((Math.floor(t / 250) % 8) + 0.5) / 8 : [1, 0.7, 0.45, 0.7][Math.floor(t / 500) % 4]);
        const write = () => { const text = at(performance.now() - start).toFixed(3); if (bar.style.getPropertyValue('--_bar') !== text) bar.style.setProperty('--_bar', text); };
        write();
        setInterval(write, ms);
      }, [...v.clock, estimate.toString()]);
    }
    await new Promise((r) => setTimeout(r, 500));
    const c0 = cpu(); const t0 = Date.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    console.log(name.padEnd(18), ((cpu() - c0) / ((Date.now() - t0) / 1000)).toFixed(3), 'CPU-s per s');
  }
}
await browser.close();
