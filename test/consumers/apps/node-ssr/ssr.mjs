// Server-side rendering in plain Node: importing the package (and its React wrapper) must not
// throw and must define nothing; the wrapper renders the tag for the browser to upgrade later.
import assert from 'node:assert/strict';

const element = await import('sam2-segmenter');
assert.equal(typeof element.Sam2Segmenter, 'function', 'the element class is exported');
// lit's server build provides a stand-in registry in Node: nothing may be defined in it.
assert.equal(globalThis.customElements?.get('sam2-segmenter'), undefined, 'nothing is registered on the server');

const testing = await import('sam2-segmenter/testing');
assert.equal(typeof testing.workerStats, 'function');

const React = await import('react');
const { renderToString } = await import('react-dom/server');
const { Sam2Segmenter } = await import('sam2-segmenter/react');
const html = renderToString(React.createElement(Sam2Segmenter, { model: 'tiny', src: '/photo.jpg', alt: 'A photo', onMaskChange() {} }));
assert.match(html, /^<sam2-segmenter[\s>]/, `the wrapper renders the tag: ${html}`);
assert.equal(globalThis.customElements?.get('sam2-segmenter'), undefined, 'still nothing registered');
console.log(`ssr ok: ${html}`);
