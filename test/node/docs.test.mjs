// The docs run as written for someone outside this repository: README snippets are the consumer
// apps' code (scripts/readme-snippets.mjs), nothing points at ../shared, CDN URLs carry the version.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { updatedReadme } from '../../scripts/readme-snippets.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const read = (path) => readFileSync(join(ROOT, path), 'utf8');
const docs = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

test('the README snippets are the consumer apps\' code, current', () => {
  const readme = read('README.md');
  const { text, used } = updatedReadme(readme);
  assert.ok(used.size >= 10, `README uses ${used.size} snippets`);
  assert.equal(text, readme, 'README.md is out of date: run node scripts/readme-snippets.mjs');
});

test('the README and docs/ need nothing outside the repository', () => {
  for (const file of docs) {
    const text = read(file);
    assert.doesNotMatch(text, /\.\.\/shared|\/work\/shared/, `${file} refers to ../shared`);
    assert.doesNotMatch(text, /huggingface-cli/, `${file} uses huggingface-cli (now "hf")`);
  }
});

test('CDN URLs carry the package version', () => {
  const { version } = JSON.parse(read('package.json'));
  for (const file of [...docs, 'src/sam2-segmenter.ts']) {
    for (const [url] of read(file).matchAll(/https:\/\/cdn\.jsdelivr\.net\/npm\/sam2-segmenter[^\s"'`)]*/g)) {
      assert.ok(url.startsWith(`https://cdn.jsdelivr.net/npm/sam2-segmenter@${version}/`), `${file}: ${url}`);
    }
  }
});

test("the Angular snippet's assets entry is the consumer app's", () => {
  const angular = JSON.parse(read('test/consumers/apps/angular/angular.json'));
  const entry = angular.projects.consumer.architect.build.options.assets.find((a) => a.input?.includes('sam2-segmenter'));
  assert.ok(read('README.md').includes(JSON.stringify(entry).replaceAll('":"', '": "').replaceAll('","', '", "').replace('{"', '{ "').replace('"}', '" }')));
});
