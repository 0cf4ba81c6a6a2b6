/**
 * The fast reading of a config file: js-yaml builds the value straight from the text, four times
 * faster than `yaml` builds its document of nodes with positions (measured on a 1,000-source
 * config: 60 ms against 275 ms cold, a third of the daemon's start). It is only ever trusted for a
 * document that `yaml` would read to the same value with no error and no warning; when it is not
 * sure of that it answers `undefined`, and load.ts reads the file with `yaml` as before, which
 * then places every problem at its line and column.
 *
 * What makes the two agree:
 * - the same YAML 1.2 core schema: the scalar types below are `yaml`'s own patterns and
 *   conversions (yaml/dist/schema/core), so `yes`/`on` stay text, `0b1`, `1_000` and `-0x1F` are
 *   text, there are no timestamps and `<<` is an ordinary key. An explicit tag other than these
 *   (`!!timestamp`, `!local`, `!!map` on a list) is one js-yaml does not know: it throws;
 * - js-yaml throws on a duplicate key, an unknown alias, a second document, a tab in indentation;
 * - not sure, so `yaml` reads it: any js-yaml warning (a flow item less indented than its key
 *   is one, and an error to `yaml`); any directive (`%YAML 1.1` would switch `yaml` to YAML 1.1
 *   types); any anchor (`yaml` caps alias expansion and warns about anchor names ending in `:`);
 *   a line starting with a flow end indicator (`]` or `}`), which `yaml` warns about when it is
 *   not indented more than its parent.
 */
import { FAILSAFE_SCHEMA, Type, YAMLException, load, type State } from 'js-yaml';

/** A scalar type resolved the way `yaml`'s core schema resolves a plain scalar. */
function scalar(tag: string, test: RegExp, construct: (text: string) => unknown): Type {
  return new Type(`tag:yaml.org,2002:${tag}`, {
    kind: 'scalar',
    resolve: (data: unknown) => typeof data === 'string' && test.test(data),
    construct: (data: string) => construct(data),
  });
}

/** `yaml`'s YAML 1.2 core schema, in the order `yaml` tries its tags. */
const CORE = FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar('null', /^(?:~|[Nn]ull|NULL)?$/, () => null),
    scalar('bool', /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (s) => s[0] === 't' || s[0] === 'T'),
    scalar('int', /^(?:0o[0-7]+|[-+]?[0-9]+|0x[0-9a-fA-F]+)$/, (s) =>
      s.startsWith('0o') ? parseInt(s.slice(2), 8) : s.startsWith('0x') ? parseInt(s.slice(2), 16) : parseInt(s, 10),
    ),
    // floatNaN, floatExp and float of yaml/dist/schema/core/float.js, in one pattern.
    scalar(
      'float',
      /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*))$/,
      (s) => (/nan$/i.test(s) ? NaN : /inf$/i.test(s) ? (s[0] === '-' ? -Infinity : Infinity) : parseFloat(s)),
    ),
  ],
});

/** js-yaml's loader state carries each node's anchor (its typings leave it out). */
interface NodeState extends State {
  anchor: string | null;
}

/** The value of a plain YAML document, or `undefined` when `yaml` might read it otherwise (see above). */
export function readPlainYaml(text: string): unknown {
  if (/^%|^[ \t]*[\]}]/m.test(text)) return undefined;
  let sure = true;
  let value: unknown;
  try {
    value = load(text, {
      schema: CORE,
      onWarning: () => {
        sure = false;
      },
      listener: (event, state) => {
        if (event === 'close' && (state as NodeState).anchor !== null) sure = false;
      },
    });
  } catch (err) {
    // Not a mistake to report: `yaml` reads the file again and says where the problem is.
    if (err instanceof YAMLException) return undefined;
    throw err;
  }
  return sure ? value : undefined;
}
