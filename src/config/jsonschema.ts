/**
 * The editor schema, generated from the zod schema so that it cannot disagree with it.
 * `config/wirefeed.schema.json` is this output; tests/config.test.ts fails when it drifts.
 * Regenerate after a schema change with either of:
 *
 *   npm run build && node dist/src/config/jsonschema.js > config/wirefeed.schema.json
 *   UPDATE_EXPECTED=1 npx vitest run tests/config.test.ts
 */
import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { configSchema } from './schema.js';

/**
 * JSON Schema draft-07 (the draft yaml-language-server supports best), describing what a user
 * may WRITE (io: 'input': keys with defaults are optional). Cross-key checks (unique ids, one
 * of url/path/dir, feed sources) cannot be expressed in it; `wirefeed check` does them.
 */
export function configJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(configSchema, { target: 'draft-07', io: 'input' });
  return {
    $schema: generated.$schema,
    title: 'wirefeed configuration',
    description: 'Sources of news wire text and the feeds made from them. Validate with `wirefeed check`.',
    ...generated,
  };
}

/** The schema file's exact text: 2-space JSON and a final newline. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}

// Run as a script (`node dist/src/config/jsonschema.js`): print the schema file.
const invokedPath = process.argv[1];
if (invokedPath !== undefined && existsSync(invokedPath) && realpathSync(invokedPath) === fileURLToPath(import.meta.url)) {
  process.stdout.write(configJsonSchemaText());
}
