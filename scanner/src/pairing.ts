const STORAGE_KEY = 'passgate.apiKey';
const KEY_PATTERN = /^2pk_[A-Za-z0-9_-]{32}$/;

export const isApiKey = (text: string) => KEY_PATTERN.test(text.trim());

/**
 * Pairs from `#key=2pk_…` (the link the CLI's pairing QR holds): stores the key and removes it
 * from the address bar. The fragment never reaches a server, so the key is in no access log.
 */
export function pairFromFragment(): boolean {
  const match = /(?:^#|&)key=([^&]+)/.exec(location.hash);
  if (!match) return false;
  const key = decodeURIComponent(match[1]!);
  history.replaceState(null, '', `${location.pathname}${location.search}`);
  if (!isApiKey(key)) return false;
  saveKey(key);
  return true;
}

export const storedKey = () => localStorage.getItem(STORAGE_KEY) ?? undefined;
export const saveKey = (key: string) => localStorage.setItem(STORAGE_KEY, key.trim());
export const forgetKey = () => localStorage.removeItem(STORAGE_KEY);
