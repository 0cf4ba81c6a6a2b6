/**
 * JSON Feed 1.1 (https://jsonfeed.org/version/1.1) checked against the spec's rules as a zod
 * schema. Neither Debian's feedparser (6.0.10) nor newsboat (2.21) reads JSON Feed, so this
 * schema is the independent reader for that format.
 */
import { z } from 'zod';

const author = z.strictObject({ name: z.string(), url: z.url().optional(), avatar: z.url().optional() });

/** RFC 3339 date-time, as the spec requires for date_published / date_modified. */
const date = z.iso.datetime({ offset: true });

const item = z
  .object({
    id: z.string().min(1),
    url: z.url().optional(),
    external_url: z.url().optional(),
    title: z.string().optional(),
    content_html: z.string().optional(),
    content_text: z.string().optional(),
    summary: z.string().optional(),
    image: z.url().optional(),
    banner_image: z.url().optional(),
    date_published: date.optional(),
    date_modified: date.optional(),
    authors: z.array(author).optional(),
    tags: z.array(z.string()).optional(),
    language: z.string().optional(),
  })
  // "content_html and content_text are each optional strings — but one or the other must be present."
  .refine((i) => i.content_html !== undefined || i.content_text !== undefined, 'item needs content_html or content_text');

export const jsonFeedSchema = z.object({
  version: z.literal('https://jsonfeed.org/version/1.1'),
  title: z.string(),
  home_page_url: z.url().optional(),
  feed_url: z.url().optional(),
  description: z.string().optional(),
  language: z.string().optional(),
  authors: z.array(author).optional(),
  hubs: z.array(z.strictObject({ type: z.string(), url: z.url() })).optional(),
  items: z.array(item),
});

export type JsonFeed = z.infer<typeof jsonFeedSchema>;

/** Parse and check a JSON Feed 1.1 document; throws with every violation listed. */
export function parseJsonFeed(text: string): JsonFeed {
  const result = jsonFeedSchema.safeParse(JSON.parse(text));
  if (!result.success) throw new Error(`not JSON Feed 1.1:\n${z.prettifyError(result.error)}`);
  return result.data;
}
