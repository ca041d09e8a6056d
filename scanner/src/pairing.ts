const STORAGE_KEY = 'passgate.apiKey';
const KEY_PATTERN = /^2pk_[A-Za-z0-9_-]{32}$/;

export const isApiKey = (text: string) => KEY_PATTERN.test(text.trim());

/**
 * The key of a `#key=2pk_…` pairing link (the link the CLI's pairing QR holds), taken out of the
 * address bar; undefined when there is none, or it is broken. The fragment never reaches a
 * server, so the key is in no access log.
 */
export function keyFromFragment(): string | undefined {
  const match = /(?:^#|&)key=([^&]+)/.exec(location.hash);
  if (!match) return undefined;
  history.replaceState(null, '', `${location.pathname}${location.search}`);
  const key = decoded(match[1] ?? '');
  return key !== undefined && isApiKey(key) ? key : undefined;
}

const PAIRING_TOKEN = /^[A-Za-z0-9_-]{32}$/;

/**
 * The one-time token of a door pairing link (`#pair=…`, from `POST /devices` or `pnpm admin
 * device create`), taken out of the address bar; undefined when there is none, or it is broken.
 */
export function pairingTokenFromFragment(): string | undefined {
  const match = /(?:^#|&)pair=([^&]+)/.exec(location.hash);
  if (!match) return undefined;
  history.replaceState(null, '', `${location.pathname}${location.search}`);
  const token = decoded(match[1] ?? '');
  return token !== undefined && PAIRING_TOKEN.test(token) ? token : undefined;
}

/** The text of a %-escaped fragment, or undefined when it was cut off inside an escape. */
function decoded(escaped: string): string | undefined {
  try {
    return decodeURIComponent(escaped);
  } catch {
    return undefined;
  }
}

export const storedKey = () => localStorage.getItem(STORAGE_KEY) ?? undefined;
export const saveKey = (key: string) => localStorage.setItem(STORAGE_KEY, key.trim());
export const forgetKey = () => localStorage.removeItem(STORAGE_KEY);
