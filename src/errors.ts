/**
 * Every error wirefeed raises on purpose: a stage prefix, a stable code to dispatch on,
 * and the original failure as `cause`. Messages read `fetch: E_TIMEOUT: https://…: headers timeout`.
 */
export type Stage =
  | 'config'
  | 'fetch'
  | 'extract'
  | 'parse'
  | 'ages'
  | 'identity'
  | 'ingest'
  | 'store'
  | 'schedule'
  | 'render'
  | 'serve'
  | 'cli';

export class WirefeedError extends Error {
  readonly stage: Stage;
  readonly code: string;

  constructor(stage: Stage, code: string, message: string, options?: { cause?: unknown }) {
    super(`${stage}: ${message}`, options);
    this.name = 'WirefeedError';
    this.stage = stage;
    this.code = code;
  }
}

/** A short, single-line description of any thrown value, with its cause chain. */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 5; depth++) {
    if (cur instanceof Error) {
      const code = (cur as { code?: unknown }).code;
      const text = cur.message || cur.name;
      parts.push(typeof code === 'string' && !text.includes(code) ? `${text} (${code})` : text);
      cur = cur.cause;
    } else {
      parts.push(String(cur));
      break;
    }
  }
  return parts.join(': caused by ');
}
