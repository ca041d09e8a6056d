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
  return isPublic(host) ? undefined : nonPublic(host);
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
  const blocked = addresses.find((address) => !isPublic(address));
  return blocked ? nonPublic(blocked) : undefined;
}

/** The host as an address or name: an IPv6 literal without its brackets. */
const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');
const isPublic = (address: string) => ipaddr.process(address).range() === 'unicast';
const nonPublic = (address: string) => `targetUrl resolves to a non-public address (${address})`;

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
    const blocked = addresses.find((entry) => !isPublic(entry.address));
    if (blocked) return callback(new Error(nonPublic(blocked.address)), []);
    if (options.all) return callback(null, addresses);
    const [first] = addresses; // dns.lookup fails (ENOTFOUND) rather than answer none
    if (first) callback(null, first.address, first.family);
  });
}) as typeof dns.lookup;

/**
 * What webhooks are sent through: connections that reach public addresses only, unless
 * `allowPrivate` (development and tests) lifts the rule. (An address written in the URL is not
 * looked up; `refuseTargetUrl` has judged it.)
 */
export const webhookDispatcher = (allowPrivate: boolean): Dispatcher =>
  new Agent(allowPrivate ? {} : { connect: { lookup: publicAddressLookup } });
