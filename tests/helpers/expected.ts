/** Run `wirefeed parse` in-process and collect what it prints. */
import { parseCommand } from '../../src/cli/parse.js';

export interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runParse(argv: string[], stdin: Uint8Array = new Uint8Array()): Promise<CommandRun> {
  let stdout = '';
  let stderr = '';
  const code = await parseCommand(argv, {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    stdin: async () => stdin,
    now: () => new Date('2030-01-01T00:00:00Z'),
  });
  return { code, stdout, stderr };
}

/** The JSON shape `wirefeed parse --format json` prints. */
export interface ParseJson {
  stories: {
    id: string;
    headline: string;
    headlineDerived: boolean;
    dateline: string | null;
    agencies: string[];
    section: string | null;
    body: string[];
    age: string | null;
    published: string;
    publishedEarliest: string | null;
    publishedLatest: string;
  }[];
  warnings: string[];
}
