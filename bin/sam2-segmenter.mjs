#!/usr/bin/env node
// `npx sam2-segmenter <command>`. One command so far: `pack` (src/cli/pack.mjs).
import { USAGE, main } from '../src/cli/pack.mjs';

const [command, ...args] = process.argv.slice(2);
if (command === 'pack') {
  process.exitCode = await main(args);
} else {
  const known = command === undefined || command === '--help' || command === '-h';
  (known ? process.stdout : process.stderr).write(`${known ? '' : `Unknown command "${command}"\n\n`}${USAGE}\n`);
  process.exitCode = known ? 0 : 2;
}
