/**
 * node-postgres, imported on first use: a daemon on SQLite never needs it, and loading it costs
 * start time and memory (its Cloudflare check builds a fetch Response, which loads Node's own
 * undici). Every PostgreSQL module gets the driver here, never by a static import.
 */
import type pg from 'pg';

export async function pgDriver(): Promise<typeof pg> {
  return (await import('pg')).default;
}
