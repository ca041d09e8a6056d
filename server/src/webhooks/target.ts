import dns from 'node:dns';
import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { Agent, type Dispatcher } from 'undici';

/**
 * What the URL alone rules out, without a DNS lookup: it must be HTTPS, carry no credentials, and
 * an address written in it must be public unicast. `allowPrivate` lifts the first and the last.
 * Checked before every delivery; a name's addresses are checked as it connects
 * (`publicAddressLookup`), so they are never looked up twice.
 */
export function refuseTargetUrl(targetUrl: string, allowPrivate: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(targetUrl);
  } catch {
    return 'targetUrl must be an absolute URL';
  }
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) {
    return 'targetUrl must use https://';
  }
  if (url.username || url.password) return 'targetUrl must not contain credentials';
  const host = hostOf(url);
  if (allowPrivate || !ipaddr.isValid(host)) return undefined;
  return isPublic(host) ? undefined : NOT_PUBLIC;
}

/**
 * Why a webhook target may not be subscribed, or undefined when it may: `refuseTargetUrl`, and
 * every address its host resolves to must be public unicast (no private, loopback, link-local,
 * …), so a tenant cannot make the server call into its own network; told at once, with a 400.
 */
export async function refuseTarget(
  targetUrl: string,
  allowPrivate: boolean,
): Promise<string | undefined> {
  const refused = refuseTargetUrl(targetUrl, allowPrivate);
  if (refused || allowPrivate) return refused;
  const host = hostOf(new URL(targetUrl));
  if (ipaddr.isValid(host)) return undefined; // judged above
  let addresses: string[];
  try {
    addresses = (await lookup(host, { all: true })).map((a) => a.address);
  } catch {
    return `targetUrl host ${host} does not resolve`;
  }
  return addresses.every(isPublic) ? undefined : NOT_PUBLIC;
}

/** The host as an address or name: an IPv6 literal without its brackets. */
const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

/**
 * Public unicast only. IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is judged as the IPv4 address it
 * holds; the deprecated IPv4-compatible form (`::127.0.0.1`, `::7f00:1`: the first 96 bits zero)
 * is never public, nor are the forms that embed an IPv4 address for translation or tunnels
 * (NAT64, 6to4, Teredo), which ipaddr.js gives ranges of their own.
 */
function isPublic(address: string): boolean {
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv6') {
    const parts = (parsed as ipaddr.IPv6).parts;
    if (parts.slice(0, 6).every((part) => part === 0)) return false;
  }
  return parsed.range() === 'unicast';
}

/**
 * Never the address itself: a tenant must not learn what a name resolves to inside the server's
 * network.
 */
export const NOT_PUBLIC = 'targetUrl is not a public address';

/**
 * `dns.lookup` for the connections webhooks are sent on: it fails when the host resolves to any
 * non-public address. Checking here, rather than in a lookup of its own before the delivery,
 * checks the address actually connected to: a host can answer a public address to one lookup and
 * a private one to the next (DNS rebinding).
 */
export const publicAddressLookup = ((
  hostname: string,
  options: dns.LookupOptions,
  callback: (error: Error | null, address: string | dns.LookupAddress[], family?: number) => void,
) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    if (!addresses.every((entry) => isPublic(entry.address))) {
      return callback(new Error(NOT_PUBLIC), []);
    }
    if (options.all) return callback(null, addresses);
    const [first] = addresses; // dns.lookup fails (ENOTFOUND) rather than answer none
    if (first) callback(null, first.address, first.family);
  });
}) as typeof dns.lookup;

/**
 * How long an idle connection to a receiver is kept for the next delivery: under the 5 s that
 * Node's HTTP server (and many others) keeps one, so that a delivery is not written to a
 * connection the receiver is closing at that moment.
 */
const IDLE_KEEP_ALIVE_MS = 2_000;

/**
 * What webhooks are sent through: connections that reach public addresses only, unless
 * `allowPrivate` (development and tests) lifts the rule. (An address written in the URL is not
 * looked up; `refuseTargetUrl` has judged it.)
 */
export const webhookDispatcher = (allowPrivate: boolean): Dispatcher =>
  new Agent({
    keepAliveTimeout: IDLE_KEEP_ALIVE_MS,
    keepAliveMaxTimeout: IDLE_KEEP_ALIVE_MS,
    ...(allowPrivate ? {} : { connect: { lookup: publicAddressLookup } }),
  });
