import { WirefeedError } from '../errors.js';

/** What a command may touch of the process: passed in, so tests run commands in-process. */
export interface Io {
  stdout(s: string): void;
  stderr(s: string): void;
  stdin(): Promise<Uint8Array>;
  env: NodeJS.ProcessEnv;
  now(): Date;
}

export const DEFAULT_CONFIG = 'config/wirefeed.yaml';

/**
 * A command's output to `stream`. A reader that closes the pipe early (`stories | head -1`) has
 * all it wants: later output is dropped and the command ends as it would, exit 0, as Unix tools
 * do, instead of dying of EPIPE with a stack trace. Any other write error still ends the process.
 * The listener is set on the first write only, so the daemon's log lines (`run` writes none
 * here) keep the stream's own behaviour.
 */
export function pipeOutput(stream: NodeJS.WritableStream): (s: string) => void {
  let listening = false;
  let readerGone = false;
  const onError = (err: NodeJS.ErrnoException): void => {
    if (err.code !== 'EPIPE') throw err;
    readerGone = true;
  };
  return (s) => {
    if (readerGone) return;
    if (!listening) {
      stream.on('error', onError);
      listening = true;
    }
    stream.write(s);
  };
}

/**
 * The version in the nearest package.json above this module, which is dist/bundle (what
 * bin/wirefeed.js runs), src/cli (tests) or dist/src/cli (the compiled tree).
 */
export async function packageVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  for (const up of ['../package.json', '../../package.json', '../../../package.json']) {
    const text = await readFile(new URL(up, import.meta.url), 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    if (text !== null) return (JSON.parse(text) as { version: string }).version;
  }
  throw new WirefeedError('cli', 'E_NO_PACKAGE', `no package.json above ${import.meta.url}`);
}
