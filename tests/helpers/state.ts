/** Reading the store in tests. */
import type { ListedStory, Store } from '../../src/store/index.js';

/** Every story listed under the source, newest first. */
export async function storiesOf(store: Store, sourceId: string): Promise<ListedStory[]> {
  return store.feed({ sourceIds: [sourceId], limit: Math.max(1, await store.countOf(sourceId)) });
}
