/** What a command may touch of the process: passed in, so tests run commands in-process. */
export interface Io {
  stdout(s: string): void;
  stderr(s: string): void;
  stdin(): Promise<Uint8Array>;
  env: NodeJS.ProcessEnv;
  now(): Date;
}

export const DEFAULT_CONFIG = 'config/wirefeed.yaml';

/** The version in package.json, read once. */
export async function packageVersion(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(new URL('../../../package.json', import.meta.url), 'utf8').catch(() =>
    // Run from the TypeScript sources (tests): one level less deep than dist/src/cli.
    readFile(new URL('../../package.json', import.meta.url), 'utf8'),
  );
  return (JSON.parse(text) as { version: string }).version;
}
