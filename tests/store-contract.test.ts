/** The Store contract (tests/helpers/store-contract.ts) on each backend. */
import { openStore } from '../src/store/index.js';
import { storeContract } from './helpers/store-contract.js';
import { tempDir } from './helpers/tmp.js';

storeContract('SQLite', async () => {
  const dir = await tempDir();
  return { open: () => openStore(dir) };
});
