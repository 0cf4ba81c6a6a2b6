/**
 * The connection cap. Node's own `server.maxConnections` drops every connection past the cap at
 * accept, so a thousand sockets that send half a request line and stop hold the cap until the
 * headers timeout, and no reader gets in. Here the cap makes room instead: when a new connection
 * would exceed it, the connection that has waited longest without a request in progress (one
 * still sending its headers, or an idle keep-alive one) is closed; only when every connection is
 * being answered is the new one closed. It is the trade nginx makes when it runs out of
 * connections and closes idle keep-alive ones first.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export function capConnections(server: Server, max: number): void {
  /** Every counted connection and its requests in progress (pipelined requests can overlap). */
  const inProgress = new Map<Socket, number>();
  /** Connections with no request in progress, longest waiting first (a Set keeps insertion order). */
  const waiting = new Set<Socket>();

  const release = (socket: Socket): void => {
    inProgress.delete(socket);
    waiting.delete(socket);
  };

  server.on('connection', (socket: Socket) => {
    inProgress.set(socket, 0);
    waiting.add(socket);
    socket.once('close', () => release(socket));
    if (inProgress.size <= max) return;
    // The new connection is waiting too, and last: it goes itself when nothing older waits.
    const victim = waiting.values().next().value as Socket;
    // Uncounted at once: more connections may be accepted before its 'close' arrives.
    release(victim);
    victim.destroy();
  });

  // Before the request handler, which may finish the response at once.
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    const n = inProgress.get(socket);
    if (n === undefined) return;
    inProgress.set(socket, n + 1);
    waiting.delete(socket);
    res.once('close', () => {
      const m = inProgress.get(socket);
      if (m === undefined) return;
      inProgress.set(socket, m - 1);
      // Back at the end of the line: a keep-alive connection just answered is the last to go.
      if (m === 1) waiting.add(socket);
    });
  });
}
