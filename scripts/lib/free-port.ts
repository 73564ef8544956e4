import net from 'node:net';

/**
 * A loopback TCP port that nothing listens on now, for servers that cannot take port 0
 * themselves (PostgreSQL clusters started by scripts). The operating system picks it, so
 * ports held by other programs on the machine are never chosen.
 */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
