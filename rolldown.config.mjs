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
    // V8 keeps each module's source text for as long as the process runs (lazy compilation and
    // Function#toString need it), two bytes a character once a single character is not Latin-1.
    // Escaped to ASCII and without comments and indentation, the sources held at run time are a
    // third of what they were (measured: 4.6 MB → 1.5 MB with undici loaded). Names are kept
    // (no mangling, no compression): stack traces read as the sources do.
    charset: 'ascii',
    minify: { compress: false, mangle: false, codegen: { removeWhitespace: true } },
  },
});
