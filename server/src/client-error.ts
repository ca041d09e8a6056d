import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { RequestError } from '@hono/node-server';
import type { Logger } from './logger';
import { bodyTooLarge } from './middleware/body-limit';

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

/** Answers `{ "error": "…" }` through Node's response, when the app will never see the request. */
function answerInJson(
  response: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
) {
  const body = JSON.stringify({ error: message });
  response.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  response.end(body);
}

/** A whole HTTP answer `{ "error": "…" }`, to write straight to a socket and close it. */
function rawAnswer(status: number, message: string): string {
  const body = JSON.stringify({ error: message });
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    `Connection: close\r\n\r\n${body}`
  );
}

/**
 * Three kinds of request never reach the app, and Node would answer them with an empty body or
 * not at all: one its HTTP parser refuses (a URL or headers over 16 KB, bytes that are not HTTP),
 * one that expects something other than `100-continue` (Node's 417), and `CONNECT` (a proxy's
 * method, which Node hands to a `connect` listener, and without one drops the connection
 * unanswered). Answer them as every other error is answered, `{ "error": "…" }`.
 *
 * And one the app would see too late: `Expect: 100-continue` with a `Content-Length` over
 * `maxBodyBytes`. Node tells such a client to go on at once, and it sends the whole body only to
 * be refused; answering 413 first spares a phone's upload (RFC 9110 §10.1.1).
 */
export function answerClientErrorsInJson(server: Server, options: { maxBodyBytes: number }) {
  server.on(
    'clientError',
    function answerClientError(error: NodeJS.ErrnoException, socket: Duplex) {
      // As Node's own handler: write only if no answer to this connection has begun.
      const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })
        ._httpMessage;
      if (error.code !== 'ECONNRESET' && socket.writable && !inFlight?.headersSent) {
        socket.write(rawAnswer(...refusal(error.code)));
      }
      socket.destroy();
    },
  );
  server.on('checkExpectation', function refuseExpectation(_request, response: ServerResponse) {
    answerInJson(response, 417, 'The only Expect understood here is 100-continue');
  });
  server.on(
    'checkContinue',
    function continueUnlessTooLarge(request: IncomingMessage, response: ServerResponse) {
      if (Number(request.headers['content-length']) > options.maxBodyBytes) {
        // The body is never read, so the connection cannot carry another request.
        answerInJson(response, 413, bodyTooLarge(options.maxBodyBytes), { Connection: 'close' });
        return;
      }
      response.writeContinue();
      server.emit('request', request, response);
    },
  );
  server.on('connect', function refuseConnect(_request, socket: Duplex) {
    socket.on('error', () => socket.destroy());
    // 501, not 405: no resource here takes CONNECT, so there is no Allow to give.
    socket.end(rawAnswer(501, 'CONNECT is not supported: this server is not a proxy'));
  });
}

/**
 * The error handler of the request listener (@hono/node-server's `getRequestListener`): a request
 * Node parsed but that names no valid URL (no `Host`, a host that is not a host name, a
 * backslash in the path, a target that is not a path) cannot become a Web `Request`, and the
 * adapter's own answer is an empty 400. Anything else here is a bug in the listener, not the
 * app's (the app answers its own errors), and is logged.
 */
export function answerUnreadableRequest(logger: Logger) {
  return function answerUnreadable(error: unknown): Response {
    if (error instanceof RequestError) {
      return Response.json(
        { error: `The request's URL is not valid: ${error.message}` },
        { status: 400 },
      );
    }
    logger.error({ err: error }, 'the request listener failed');
    return Response.json({ error: 'Internal server error' }, { status: 500 });
  };
}
