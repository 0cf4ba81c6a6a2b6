// The CLI as one bundle (plus chunks for what is imported on demand): Node 20 spends about
// 0.3 s resolving and compiling the ~400 module files of dist/src and node_modules one by one,
// which is a third of the daemon's start. Tests import src/ directly; bin/wirefeed.js runs this.
import { defineConfig } from 'rolldown';

export default defineConfig({
  input: { wirefeed: 'dist/src/main.js' },
  platform: 'node',
  // A native module: loaded from node_modules at run time, never bundled.
  external: ['better-sqlite3'],
  output: {
    dir: 'dist/bundle',
    format: 'esm',
    sourcemap: true,
    chunkFileNames: '[name]-[hash].js',
    cleanDir: true,
  },
});
