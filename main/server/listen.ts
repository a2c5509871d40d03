// Binding the port, with errors that say what to do.
import type { AddressInfo, Server } from 'node:net';
import { ServerError } from './server-error.js';

function describe(err: NodeJS.ErrnoException, host: string, port: number): string {
  const where = `${host}:${port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return `port ${port} on ${host} is already in use (another rustysignal or another program): stop it or choose another port`;
    case 'EACCES':
      return `not allowed to listen on ${where} (ports below 1024 need privileges): choose a port above 1024`;
    case 'EADDRNOTAVAIL':
      return `${host} is not an address of this computer: choose one of its addresses or 0.0.0.0`;
    default:
      return `cannot listen on ${where}: ${err.message}`;
  }
}

/** Listens on host:port; resolves with the bound port, rejects with a ServerError (port-in-use, listen-failed). */
export function listenOn(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(
        new ServerError({
          code: err.code === 'EADDRINUSE' ? 'port-in-use' : 'listen-failed',
          message: describe(err, host, port),
        }),
      );
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
