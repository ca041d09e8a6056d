import dns from 'node:dns';
import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { Agent, type Dispatcher } from 'undici';

/**
 * Why a webhook target may not be called, or undefined when it may: it must be HTTPS and every
 * address its host resolves to must be public unicast (no private, loopback, link-local, …), so a
 * tenant cannot make the server call into its own network. `allowPrivate` lifts both rules.
 */
export async function refuseTarget(
  targetUrl: string,
  allowPrivate: boolean,
): Promise<string | undefined> {
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
  if (allowPrivate) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = ipaddr.isValid(host)
      ? [host]
      : (await lookup(host, { all: true })).map((a) => a.address);
  } catch {
    return `targetUrl host ${host} does not resolve`;
  }
  const blocked = addresses.find((address) => !isPublic(address));
  return blocked ? nonPublic(blocked) : undefined;
}

const isPublic = (address: string) => ipaddr.process(address).range() === 'unicast';
const nonPublic = (address: string) => `targetUrl resolves to a non-public address (${address})`;

/**
 * `dns.lookup` for the connections webhooks are sent on: it fails when the host resolves to any
 * non-public address. `refuseTarget` checks a host before a delivery, but the connection
 * resolves it again, and a host can answer a public address to the first lookup and a private
 * one to the second (DNS rebinding); checking here checks the address actually connected to.
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
 * looked up; `refuseTarget` has judged it.)
 */
export const webhookDispatcher = (allowPrivate: boolean): Dispatcher =>
  new Agent(allowPrivate ? {} : { connect: { lookup: publicAddressLookup } });
