#!/usr/bin/env node
// Copies the framework snippets into README.md from the consumer apps the tests build
// (test/consumers/apps/), so every snippet there is code that was compiled and run:
//   in an app:   // snippet:NAME  ...  // /snippet     (or <!-- snippet:NAME --> ... <!-- /snippet -->)
//   in README:   <!-- snippet:NAME --> ... <!-- /snippet -->   (the code block between is rewritten)
// The apps use the test fixtures; the README shows what a user writes (model="tiny",
// src="photo.jpg", lazy loading). Also keeps the version in the README's CDN URLs current.
//   node scripts/readme-snippets.mjs           rewrite README.md
//   node scripts/readme-snippets.mjs --check   exit 1 if README.md is not up to date
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const APPS = join(ROOT, 'test', 'consumers', 'apps');
const LANGUAGES = { '.tsx': 'tsx', '.ts': 'ts', '.js': 'js', '.vue': 'vue', '.svelte': 'svelte', '.html': 'html', '.mjs': 'js' };

/** Test values → what the README shows. */
function forReaders(code) {
  return code
    .split('\n')
    .filter((line) => !/^\s*loading="eager"\s*$/.test(line))
    .join('\n')
    .replaceAll(' loading="eager"', '')
    .replaceAll('/fixtures/colour.manifest.json', 'tiny')
    .replaceAll('/fixtures/scene.png', 'photo.jpg');
}

function* files(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (LANGUAGES[extname(name)]) yield path;
  }
}

/** NAME → { code, file } from every app. */
export function collectSnippets() {
  const snippets = new Map();
  for (const file of files(APPS)) {
    const lines = readFileSync(file, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const start = /(?:\/\/|<!--)\s*snippet:([\w-]+)/.exec(lines[i]);
      if (!start) continue;
      const end = lines.findIndex((line, j) => j > i && /(?:\/\/|<!--)\s*\/snippet/.test(line));
      if (end < 0) throw new Error(`${relative(ROOT, file)}: snippet:${start[1]} has no /snippet`);
      const body = lines.slice(i + 1, end);
      // A Vue/Svelte single-file component: the markers are outside the component's own code.
      snippets.set(start[1], { code: forReaders(body.join('\n')).trim(), file: relative(ROOT, file), language: LANGUAGES[extname(file)] });
      i = end;
    }
  }
  return snippets;
}

export function updatedReadme(readme = readFileSync(join(ROOT, 'README.md'), 'utf8')) {
  const snippets = collectSnippets();
  const used = new Set();
  let text = readme.replace(/<!-- snippet:([\w-]+) -->\n[\s\S]*?<!-- \/snippet -->/g, (_, name) => {
    const snippet = snippets.get(name);
    if (!snippet) throw new Error(`README.md asks for snippet:${name}, which no consumer app has`);
    used.add(name);
    return `<!-- snippet:${name} -->\n\`\`\`${snippet.language}\n${snippet.code}\n\`\`\`\n<!-- /snippet -->`;
  });
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  text = text.replace(/(cdn\.jsdelivr\.net\/npm\/sam2-segmenter)(@[^/\s]+)?\//g, `$1@${version}/`);
  return { text, used, snippets };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const path = join(ROOT, 'README.md');
  const current = readFileSync(path, 'utf8');
  const { text } = updatedReadme(current);
  if (process.argv.includes('--check')) {
    if (text !== current) {
      console.error('README.md is out of date with test/consumers/apps: run node scripts/readme-snippets.mjs');
      process.exitCode = 1;
    }
  } else if (text !== current) {
    writeFileSync(path, text);
  }
}
