/**
 * The index page needs no script: its Content-Security-Policy says so, and Chromium still renders
 * its inline CSS (and any inline SVG) under that policy.
 */
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/serve/index.js';
import { catalogFeed, get, makeDeps } from './serve-helpers.js';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

let srv: RunningServer;

beforeAll(async () => {
  srv = await startServer(makeDeps([catalogFeed('anp'), catalogFeed('world', { kind: 'feed' })]), { host: '127.0.0.1', port: 0, maxConnections: 10 });
});

afterAll(async () => {
  await srv.close();
});

describe('index page policy', () => {
  it('sends a CSP that allows no script and no framing, on GET and HEAD', async () => {
    for (const method of ['GET', 'HEAD']) {
      const r = await get(srv.url, '/', {}, method);
      expect([r.status, r.headers['content-security-policy'], r.headers['x-content-type-options']]).toEqual([200, CSP, 'nosniff']);
    }
    const gz = await get(srv.url, '/', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-security-policy']).toBe(CSP);
  });

  it('renders its inline CSS in Chromium under the policy, with no violation', async () => {
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
      const messages: string[] = [];
      page.on('console', (m) => messages.push(m.text()));
      // The browser reports each blocked resource as a securitypolicyviolation event.
      await page.addInitScript({
        content: "document.addEventListener('securitypolicyviolation', (e) => console.log('csp violation: ' + e.violatedDirective));",
      });
      const res = await page.goto(`${srv.url}/`);
      expect(res?.headers()['content-security-policy']).toBe(CSP);
      // The card style comes from the page's inline <style>: 1px border, 0.5rem radius.
      const card = await page.evaluate<string[]>(
        "(() => { const s = getComputedStyle(document.querySelector('section.feed')); return [s.borderTopWidth, s.borderTopLeftRadius]; })()",
      );
      expect(card).toEqual(['1px', '8px']);
      // Inline SVG, if the page has any, is drawn (the policy does not block it).
      const svgs = await page.evaluate<boolean[]>("[...document.querySelectorAll('svg')].map((e) => e.getBoundingClientRect().width > 0)");
      expect(svgs.every(Boolean)).toBe(true);
      expect(messages.filter((m) => /csp violation|Content Security Policy/i.test(m))).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
