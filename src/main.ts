/** The process: argv in, exit code out. Everything it runs can also run in-process (src/cli). */
import { runCli } from './cli/index.js';
import { pipeOutput } from './cli/io.js';
import { describeError } from './errors.js';

const io = {
  stdout: pipeOutput(process.stdout),
  stderr: (s: string) => void process.stderr.write(s),
  stdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return new Uint8Array(Buffer.concat(chunks));
  },
  env: process.env,
  now: () => new Date(),
};

runCli(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
    // Everything is closed by now; should a library still hold a handle, do not hang on it.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (err: unknown) => {
    process.stderr.write(`wirefeed: ${describeError(err)}\n`);
    process.exitCode = 1;
  },
);
