import type { IncomingHttpHeaders } from 'node:http';
import zapier from 'zapier-platform-core';
import type { ReceivedHook } from '../../test/support/receiver';
import type { TestTenant } from '../../test/support/tenant';
import app from '../src/index';

// What the Zapier tests share: the app run as Zapier runs it (`createAppTester`), against the
// real server, and deliveries handed to it as Zapier hands them over.

const tester = zapier.createAppTester(app);

/**
 * Runs one of the app's functions as Zapier does, with a bundle of the parts a test gives
 * (Zapier's own types want every part of a real bundle).
 */
export const appTester = (
  // biome-ignore lint/suspicious/noExplicitAny: any function of the app definition
  func: (...args: any[]) => unknown,
  bundle: Record<string, unknown>,
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever the function returned
): Promise<any> => tester(func as never, bundle as never);

/** A connection to the tenant's server with `apiKey` (the tenant's own by default). */
export const connection = (tenant: TestTenant, apiKey = tenant.apiKey) => ({
  baseUrl: tenant.server.url,
  apiKey,
});

/** The error a promise failed with (a test fails if it did not). */
export async function refusal(promise: Promise<unknown>): Promise<Error & { said: unknown }> {
  const error = await promise.then(
    () => null,
    (caught: Error) => caught,
  );
  if (!error) throw new Error('expected a refusal, and it went through');
  // Zapier's errors carry their details as JSON in the message.
  let said: unknown = error.message;
  try {
    said = JSON.parse(error.message);
  } catch {
    // A plain message.
  }
  return Object.assign(error, { said });
}

/** `webhook-id` as Zapier's `rawRequest` spells it: `Http-Webhook-Id`. */
function zapierHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      `Http-${name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase())}`,
      String(value),
    ]),
  );
}

/** The bundle Zapier gives a hook trigger's `perform` for a request it received. */
export function hookBundle(
  hook: ReceivedHook,
  authData: { baseUrl: string; apiKey: string },
  subscribeData: { id: string; secret: string },
) {
  return {
    authData,
    subscribeData,
    rawRequest: {
      method: 'POST' as const,
      querystring: '',
      headers: zapierHeaders(hook.headers),
      content: hook.body,
    },
    cleanedRequest: JSON.parse(hook.body),
  };
}
