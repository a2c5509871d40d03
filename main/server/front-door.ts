// One port for TLS and plain HTTP: the first byte of each connection says which it is (0x16 opens a TLS
// handshake record), and the socket is handed, byte intact, to the HTTPS or the plain HTTP server.
import { createServer, type Server, type Socket } from 'node:net';

/** A TLS handshake record starts with content type 22. */
const TLS_HANDSHAKE = 0x16;
/**
 * A listener that dispatches each connection to `tls` or `plain` (neither of which listens itself). A
 * connection that sends nothing within `firstByteTimeoutMs` is closed (it holds a socket for nothing).
 */
export function createFrontDoor(tls: Server, plain: Server, firstByteTimeoutMs: number): Server {
  return createServer({ pauseOnConnect: true }, (socket: Socket) => {
    const timeout = () => socket.destroy();
    const onError = () => socket.destroy();
    socket.setTimeout(firstByteTimeoutMs, timeout);
    socket.on('error', onError);
    socket.once('readable', () => {
      const first = socket.read(1) as Buffer | null;
      socket.setTimeout(0);
      socket.off('timeout', timeout);
      socket.off('error', onError);
      if (first === null) return void socket.destroy();
      socket.unshift(first);
      // The receiving server reads what was unshifted first (TLSSocket feeds buffered bytes to OpenSSL).
      (first[0] === TLS_HANDSHAKE ? tls : plain).emit('connection', socket);
    });
  });
}
