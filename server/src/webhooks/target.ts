import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

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
  const blocked = addresses.find((address) => ipaddr.process(address).range() !== 'unicast');
  return blocked ? `targetUrl resolves to a non-public address (${blocked})` : undefined;
}
