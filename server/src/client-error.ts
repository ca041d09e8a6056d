import { type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/** What a request Node's parser refuses is told, by the parser's error code. */
function refusal(code: string | undefined): [status: number, message: string] {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return [431, 'The request line and headers must fit in 16 KB'];
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return [413, 'The chunk extensions of the body are too large'];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'The request took too long to arrive'];
    default:
      return [400, 'The request is not valid HTTP'];
  }
}

/**
 * A request that Node's HTTP parser refuses (a URL or headers over 16 KB, bytes that are not
 * HTTP) never reaches the app, and Node would answer it with an empty body. Answer it as every
 * other error is answered, `{ "error": "…" }`, and close the connection as Node does.
 */
export function answerClientErrorsInJson(server: Server) {
  server.on(
    'clientError',
    function answerClientError(error: NodeJS.ErrnoException, socket: Duplex) {
      // As Node's own handler: write only if no answer to this connection has begun.
      const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })
        ._httpMessage;
      if (error.code !== 'ECONNRESET' && socket.writable && !inFlight?.headersSent) {
        const [status, message] = refusal(error.code);
        const body = JSON.stringify({ error: message });
        socket.write(
          `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
            'Content-Type: application/json; charset=utf-8\r\n' +
            `Content-Length: ${Buffer.byteLength(body)}\r\n` +
            `Connection: close\r\n\r\n${body}`,
        );
      }
      socket.destroy();
    },
  );
}
