/**
 * A free TCP port for a private server a test starts (a broker, an object store).
 *
 * @module
 */
import { createServer } from 'node:net';

/** A TCP port that was free a moment ago, for a private server. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
