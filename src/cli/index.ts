/** The `wirefeed` command line: one file per command, dispatched here. */
import { checkCommand } from './check.js';
import { ingestCommand } from './ingest.js';
import { packageVersion, type Io } from './io.js';
import { parseCommand } from './parse.js';
import { runCommand } from './run.js';
import { stateCommand } from './state.js';
import { storiesCommand } from './stories.js';
import { tryCommand } from './try.js';

const HELP = `wirefeed — news wire text into Atom, RSS and JSON feeds

usage: wirefeed <command> [options]

commands:
  run      [--config PATH] [--log-level LEVEL] [--recover]
           start the daemon (default config: config/wirefeed.yaml)
  check    [--config PATH]
           validate a config file; exit 0 when it is valid, 1 when not
  parse    <file|-> [--lang nl|en|de|fr|auto] [--tz ZONE] [--now ISO] [--format json|text]
           [--format-in auto|text|html]
           cut a wire page (text or HTML) into stories and print them
  ingest   <file> --source ID [--at ISO] [--config PATH]
           put a saved page into the state as if fetched at --at
  stories  [--source ID] [--config PATH] [--format json|text]
           print the stored stories, newest first
  state    backup <file> | export [--from PLACE] | import <file|-> [--to PLACE] | check  [--config PATH]
           copy --from PLACE [--to PLACE]      (PLACE: sqlite:<dir> or postgres://…)
           back up a SQLite state online, export/import a state as JSON Lines, copy one
           state into another (SQLite or PostgreSQL), check its integrity
  try      <url|file> [--lang auto|nl|en|de|fr] [--timezone ZONE] [--format table|json]
           [--format-in auto|text|html] [--full-text]
           fetch a page once and show its stories and a source entry for the config;
           --full-text: the first three stories' articles as the full-text step reads them

options:
  -h, --help     this text
  -v, --version  the version
`;

type Command = (argv: string[], io: Io) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  run: runCommand,
  check: (argv, io) => checkCommand(argv, io),
  parse: (argv, io) => parseCommand(argv, io),
  ingest: ingestCommand,
  stories: storiesCommand,
  state: stateCommand,
  try: (argv, io) => tryCommand(argv, io),
};

export async function runCli(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    io.stdout(HELP);
    return name === undefined ? 2 : 0;
  }
  if (name === '-v' || name === '--version') {
    io.stdout(`wirefeed ${await packageVersion()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.stderr(`wirefeed: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  return command(rest, io);
}
