/**
 * `npm run bench`: every figure of issue 7, one line each (name value unit target pass/miss),
 * and bench/results.json with the same plus the machine. Figures run one after another so that
 * none competes with another for the two cores.
 */
import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fulltextFigures } from './fulltext.js';
import { clusterFigures } from './cluster.js';
import { hostileFigures } from './hostile.js';
import { ingestFigures } from './ingest.js';
import { passes, ROOT, type Figure } from './lib.js';
import { parseFigures } from './parse.js';
import { pollingFigures } from './polling.js';
import { renderFigures } from './render.js';
import { serveFigures } from './serve.js';
import { stateFigures } from './state.js';

const GROUPS: readonly { name: string; run: () => Figure[] | Promise<Figure[]> }[] = [
  { name: 'parse', run: parseFigures },
  { name: 'ingest', run: ingestFigures },
  { name: 'render', run: renderFigures },
  { name: 'state', run: stateFigures },
  { name: 'serve', run: serveFigures },
  { name: 'polling', run: pollingFigures },
  { name: 'hostile', run: hostileFigures },
  { name: 'fulltext', run: fulltextFigures },
  { name: 'cluster', run: clusterFigures },
];

function format(f: Figure): string {
  const value = Number.isNaN(f.value) ? '-' : f.value >= 100 ? f.value.toFixed(0) : f.value.toFixed(f.value >= 10 ? 1 : 2);
  const ok = passes(f);
  const target = f.target === null ? '' : `  target ${f.target.op} ${f.target.value}  ${ok ? 'pass' : 'MISS'}`;
  return `${f.name.padEnd(20)} ${value.padStart(9)} ${f.unit.padEnd(11)}${target}${f.note ? `  (${f.note})` : ''}`;
}

async function main(): Promise<number> {
  // A group name on the command line runs only those groups (while working on one figure).
  const only = process.argv.slice(2);
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
  };
  console.log(`wirefeed bench: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}`);
  const figures: Figure[] = [];
  const failures: string[] = [];
  const t0 = performance.now();
  for (const group of GROUPS) {
    if (only.length > 0 && !only.includes(group.name)) continue;
    try {
      for (const f of await group.run()) {
        figures.push(f);
        console.log(format(f));
      }
    } catch (err) {
      failures.push(`${group.name}: ${(err as Error).stack ?? String(err)}`);
      console.log(`${group.name.padEnd(20)} FAILED: ${(err as Error).message}`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(`${figures.filter((f) => passes(f) === false).length} target(s) missed; ${seconds.toFixed(0)} s`);
  const results = {
    machine,
    seconds,
    figures: figures.map((f) => ({ ...f, value: Number.isNaN(f.value) ? null : f.value, pass: passes(f) })),
    failures,
  };
  await writeFile(join(ROOT, 'bench', 'results.json'), JSON.stringify(results, null, 2) + '\n');
  for (const f of failures) console.error(f);
  return failures.length > 0 ? 1 : 0;
}

process.exitCode = await main();
