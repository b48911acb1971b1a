/**
 * Strict hosting: a Content-Security-Policy that allows only the site's own scripts (plus
 * 'wasm-unsafe-eval' for onnxruntime), one that forbids WebAssembly, and Trusted Types. The
 * header is sent with the page AND with the worker and runtime files (`basePath` under
 * /__csp/<policy>/), as a site that sets it on every response does.
 */
import { expect } from '@esm-bundle/chai';
import { closeFrames, openFrame, until } from './helpers.js';

const framePage = (policy: string) => `/__csp/${policy}/test/hosting/frame.html?base=/__csp/${policy}/dist/`;

async function segmentsUnder(policy: string, page = framePage(policy)) {
  const { frame, api, record } = await openFrame(page);
  await until(() => record.events.some((e) => e.type === 'image-encode') || record.errors[0], 'image-encode');
  expect(record.errors).to.deep.equal([]);
  expect(await api.segment()).to.be.at.least(0.97);
  expect(record.violations).to.deep.equal([]);
  // The element keeps its size (an inline style the policy blocks would collapse it).
  const box = api.element.getBoundingClientRect();
  expect(box.height).to.be.greaterThan(100);
  expect(box.width).to.be.greaterThan(100);
  return { frame, api, record };
}

describe('Content-Security-Policy and Trusted Types', () => {
  afterEach(closeFrames);

  it("works under script-src 'self' 'wasm-unsafe-eval' on the page and the worker", async () => {
    await segmentsUnder('strict');
  });

  it("works under default-src 'self' (styles, workers, fetches: 'self' only) with 'wasm-unsafe-eval'", async () => {
    await segmentsUnder('locked');
  });

  it("reports a policy without 'wasm-unsafe-eval' as backend-unavailable, naming the missing source", async () => {
    const { api, record } = await openFrame(framePage('nowasm'));
    const error = await until(() => record.errors[0], 'an error');
    expect(error.code).to.equal('backend-unavailable');
    expect(error.recoverable).to.equal(false);
    expect(error.message).to.contain("'wasm-unsafe-eval'");
    expect(api.element.status).to.equal('error');
  });

  it("works under require-trusted-types-for 'script', onnxruntime's threads included", async () => {
    const { record } = await segmentsUnder('tt');
    const load = record.events.find((e) => e.type === 'model-load')!.detail as { threads: number };
    // The test pages are cross-origin isolated: the worker starts thread workers, under the policy too.
    expect(crossOriginIsolated).to.equal(true);
    expect(load.threads).to.equal(Math.min(navigator.hardwareConcurrency, 16));
  });

  it('works from a CDN (another origin, a blob: worker) under a strict policy with Trusted Types', async () => {
    const { record } = await segmentsUnder('cdn', '/__csp/cdn/test/hosting/frame.html?cdn');
    const load = record.events.find((e) => e.type === 'model-load')!.detail as { threads: number };
    expect(load.threads).to.equal(Math.min(navigator.hardwareConcurrency, 16));
  });
});
