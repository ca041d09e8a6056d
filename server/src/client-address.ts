import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import proxyAddr from 'proxy-addr';

/**
 * Which peers are proxies whose `X-Forwarded-For` is believed (`TRUST_PROXY`): none, the nearest
 * `hops` of them, or those at the listed addresses and ranges (CIDR, or proxy-addr's names
 * `loopback`, `linklocal`, `uniquelocal`).
 */
export type TrustProxy = { hops: number } | { addresses: string[] } | null;

/** The address of the TCP peer, or `unknown` where there is none (an in-process request). */
function peerAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * The client's address as every per-address limit counts it: the TCP peer's, or, when that peer
 * is a trusted proxy, the address it says it forwarded for (read from `X-Forwarded-For` right to
 * left, through trusted proxies only, with proxy-addr, the library Express uses).
 */
export function clientAddressOf(trust: TrustProxy): (c: Context) => string {
  if (trust === null) return peerAddress;
  const trusts =
    'hops' in trust
      ? (_address: string, index: number) => index < trust.hops
      : proxyAddr.compile(trust.addresses);
  return (c) => {
    const peer = peerAddress(c);
    if (peer === 'unknown') return peer;
    const forwardedFor = c.req.header('x-forwarded-for');
    const request = {
      headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
      socket: { remoteAddress: peer },
    };
    return proxyAddr(request as never, trusts);
  };
}

/** Reads `TRUST_PROXY`: unset, a hop count, or a comma-separated list; throws on a bad entry. */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  if (value === undefined || value.trim() === '') return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    return hops === 0 ? null : { hops };
  }
  const addresses = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  // compile() throws on an entry that is no address, range or known name.
  proxyAddr.compile(addresses);
  return { addresses };
}
