import { request as httpRequest } from 'node:http';

export interface AnswerFrom {
  status: number;
  retryAfter: string | undefined;
  cookie: string | undefined;
  body: string;
}

/**
 * A JSON POST sent from `address`: any of 127.0.0.0/8 reaches a server on 127.0.0.1, so tests
 * can be many clients, each counted by its own address.
 */
export function postFrom(
  url: string,
  address: string,
  json: unknown,
  headers: Record<string, string> = {},
): Promise<AnswerFrom> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method: 'POST',
        localAddress: address,
        headers: { 'content-type': 'application/json', ...headers },
      },
      (response) => {
        let body = '';
        response.on('data', (chunk) => {
          body += chunk;
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            retryAfter: response.headers['retry-after'],
            cookie: response.headers['set-cookie']?.[0],
            body,
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(JSON.stringify(json));
  });
}
