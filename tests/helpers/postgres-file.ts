/** A PostgreSQL cluster per test file (vitest hooks; the benches use startPgCluster directly). */
import { afterAll, beforeAll } from 'vitest';
import { startPgCluster, type PgCluster } from './postgres.js';

/** A cluster for the whole test file: started before its first test, stopped after its last. */
export function pgClusterPerFile(): PgCluster {
  let started: PgCluster | null = null;
  beforeAll(async () => {
    started = await startPgCluster();
  }, 60_000);
  afterAll(async () => {
    await started?.stop();
  });
  const get = (): PgCluster => {
    if (started === null) throw new Error('the cluster starts in beforeAll');
    return started;
  };
  return {
    get port() {
      return get().port;
    },
    database: () => get().database(),
    halt: () => get().halt(),
    start: () => get().start(),
    stop: () => get().stop(),
  };
}
