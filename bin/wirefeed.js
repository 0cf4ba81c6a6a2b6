#!/usr/bin/env node
// Thin launcher: the CLI runs from one bundle of dist/ (built by `npm ci` through the prepare
// script; see rolldown.config.mjs for why it is bundled).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/bundle/wirefeed.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('wirefeed: dist/bundle is missing; run `npm run build` (npm ci does it) first\n');
  process.exit(2);
}
await import(entry.href);
