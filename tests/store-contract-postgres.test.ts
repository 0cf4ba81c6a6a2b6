/** The Store contract (tests/helpers/store-contract.ts) on PostgreSQL: a real cluster, a fresh database per store. */
import { openStore } from '../src/store/index.js';
import { pgClusterPerFile } from './helpers/postgres-file.js';
import { storeContract } from './helpers/store-contract.js';
import { tempDir } from './helpers/tmp.js';

const cluster = pgClusterPerFile();

storeContract('PostgreSQL', async () => {
  const url = await cluster.database();
  // The directory is what SQLite would use: with a URL it stays unused.
  const dir = await tempDir();
  return { open: () => openStore({ dir, url }) };
});
