// What the loading status bar costs the page while the encoder runs: renderer CPU (this browser's
// process tree, from /proc) per second of a 6 px bar animated each way the element could animate
// it. On 2 cores every CPU-second the page spends is taken from onnxruntime's two threads.
//   node bench/status-animation.mjs
import puppeteer from 'puppeteer-core';
import { readFileSync, readdirSync } from 'node:fs';
const variants = {
  none: '',
  widthBezier: 'animation: a-est 8s cubic-bezier(0.25,0.6,0.35,1) both;',
  widthSteps: 'animation: a-est 8s steps(24, end) both;',
  sweep: 'width:35%; animation: a-sweep 1.4s ease-in-out infinite;',
  sweepSteps: 'width:35%; animation: a-sweep 1.4s steps(7, end) infinite;',
  pulse: 'width:100%; animation: a-pulse 2.4s ease-in-out infinite;',
  timer4hz: 'TIMER',
  timer2hz: 'TIMER2',
};
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
for (const [name, css] of Object.entries(variants)) {
  await page.setContent(`<style>@keyframes a-est{from{width:2%}to{width:92%}} @keyframes a-sweep{from{transform:translateX(-100%)}to{transform:translateX(290%)}} @keyframes a-pulse{50%{opacity:.35}}
   .p{position:relative;height:6px;width:600px;overflow:hidden;background:#ddd}.p>div{height:100%;background:#36f;${css}}</style><div class=p><div></div></div><img src="data:," style="width:800px;height:600px">`);
  if (css.startsWith('TIMER')) await page.evaluate((ms) => { const d = document.querySelector('.p>div'); let i = 0; setInterval(() => { i++; d.style.width = (2 + (i % 40) * 2) + '%'; }, ms); }, css === 'TIMER' ? 250 : 500);
  await new Promise(r => setTimeout(r, 500));
  const c0 = cpu(); const t0 = Date.now();
  await new Promise(r => setTimeout(r, 6000));
  console.log(name.padEnd(12), ((cpu() - c0) / ((Date.now() - t0) / 1000)).toFixed(3), 'CPU-s per s');
}
await browser.close();
