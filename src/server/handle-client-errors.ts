import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../logger.ts';
import type { Rejections } from './rejections.ts';

const RESPONSES: Readonly<Record<string, string>> = {
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: '413 Payload Too Large',
};
/** The client went away (reset, or closed mid-request): nothing was refused. */
const CLIENT_GONE = new Set(['ECONNRESET', 'HPE_INVALID_EOF_STATE']);

/**
 * Counts what Node refuses at the HTTP level: requests not received within
 * REQUEST_TIMEOUT_MS (slow senders holding sockets) and unparseable HTTP. A `clientError`
 * listener replaces Node's default handling, so this answers exactly as Node would have.
 */
export function handleClientErrors(server: http.Server, rejections: Rejections, logger: Logger): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const code = error.code ?? '';
    logger.debug(`HTTP client error ${code}: ${error.message}`, { ip: (socket as { remoteAddress?: string }).remoteAddress });
    if (!CLIENT_GONE.has(code)) rejections.count(code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'request_timeout' : 'bad_http');
    // Node's own rule: answer only if no response has started on this socket.
    const current = (socket as { _httpMessage?: http.ServerResponse })._httpMessage;
    if (socket.writable && !current?.headersSent) socket.write(`HTTP/1.1 ${RESPONSES[code] ?? '400 Bad Request'}\r\nConnection: close\r\n\r\n`);
    socket.destroy(error);
  });
}
