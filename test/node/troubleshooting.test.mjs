// The README's Troubleshooting table documents every error code the package can report
// (src/errors.ts SAM2_ERROR_CODES): a code added without its causes and fix fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const errors = readFileSync(new URL('../../src/errors.ts', import.meta.url), 'utf8');
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

test('README Troubleshooting has a row with causes and a fix for every error code', () => {
  const list = /SAM2_ERROR_CODES = \[([^\]]*)\]/.exec(errors);
  assert.ok(list, 'SAM2_ERROR_CODES not found in src/errors.ts');
  const codes = [...list[1].matchAll(/'([a-z-]+)'/g)].map((m) => m[1]);
  assert.ok(codes.length >= 10, `only ${codes.length} codes parsed`);
  const section = readme.slice(readme.indexOf('## Troubleshooting'), readme.indexOf('\n## ', readme.indexOf('## Troubleshooting') + 5));
  assert.ok(section.length > 100, 'no "## Troubleshooting" section in README.md');
  const missing = [];
  for (const code of codes) {
    const row = section.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
    // Code | Recoverable | Causes | Fix: four non-empty cells.
    const cells = row?.split(' | ').map((cell) => cell.replace(/^\|\s*|\s*\|$/g, '').trim());
    if (!cells || cells.length < 4 || cells.some((cell) => cell === '')) missing.push(code);
  }
  assert.deepEqual(missing, [], `codes without a complete Troubleshooting row: ${missing.join(', ')}`);
});
