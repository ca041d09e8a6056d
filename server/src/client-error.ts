import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { RequestError } from '@hono/node-server';
import type { Logger } from './logger';

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
 * And `Expect: 100-continue` is honoured as meant (RFC 9110 §10.1.1): the client is told to send
 * its body only once the app reads it, so a body over 1 MB, or one sent with a bad key, is
 * refused before it is uploaded.
 */
export function answerClientErrorsInJson(server: Server) {
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
    const body = JSON.stringify({ error: 'The only Expect understood here is 100-continue' });
    response.writeHead(417, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
    });
    response.end(body);
  });
  server.on(
    'checkContinue',
    function continueWhenRead(request: IncomingMessage, response: ServerResponse) {
      // Node would say "100 Continue" before the app has looked at the request. Say it when the
      // app starts reading the body instead: a request refused from its headers alone (401, 404,
      // 413) is answered before the client sends its body, and Node then closes the connection.
      request.once('resume', function continueOnRead() {
        // Node also resumes a body nobody read once the answer is sent, to discard it.
        if (!response.headersSent) response.writeContinue();
      });
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
