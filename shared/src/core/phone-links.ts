/** Whether a host name is this very device: a link naming it opens on whatever device opens it. */
const isLoopback = (hostname: string) =>
  hostname === 'localhost' ||
  hostname.endsWith('.localhost') ||
  hostname === '[::1]' ||
  /^127\./.test(hostname);

/**
 * Why a door's phone cannot use links at this address (pairing links, the scanner's), for whoever
 * runs Passgate: `words` are the rest of a sentence whose subject is the link or `PUBLIC_URL`.
 * Undefined when it can. A link naming localhost (`loopback`) opens on the phone itself; at plain
 * http:// anywhere but on the device itself, browsers give a page no camera and no service worker.
 */
export function phoneLinkProblem(url: string): { loopback: boolean; words: string } | undefined {
  const { protocol, hostname } = new URL(url);
  if (isLoopback(hostname)) {
    return {
      loopback: true,
      words: `names ${hostname}, which on a phone is the phone itself: a phone will not reach Passgate there. Start Passgate with "pnpm start --lan", or set PUBLIC_URL to an https:// address phones can reach`,
    };
  }
  if (protocol === 'http:') {
    return {
      loopback: false,
      words:
        'is plain http://, where a phone gives the scanner no camera (typed codes still work). Serve Passgate at an https:// address ("pnpm start --lan" for a first try) and set PUBLIC_URL to it',
    };
  }
  return undefined;
}
