/**
 * A news site that never changes, run as its own process for the polling and serve figures:
 * every GET is answered 304 Not Modified (with an ETag, as a real site would), and `/_count`
 * says how many such requests arrived.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

let count = 0;
const server = createServer((req, res) => {
  if (req.url === '/_count') {
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end(String(count));
    return;
  }
  count++;
  res.writeHead(304, { ETag: '"unchanged"' }).end();
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`listening http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
