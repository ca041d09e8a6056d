// The scanner's service worker: the app shell is cached so the scanner opens, and decides at
// the door, with no network. The API is never cached: the door keeps its own copy of the passes.
const CACHE = 'passgate-scanner-v2';
const SHELL = ['/scanner/', '/scanner/manifest.webmanifest', '/scanner/icon.svg'];
/** The built files a page or script names (`/scanner/assets/…`, hashed by Vite). */
const ASSET = /\/scanner\/assets\/[\w.-]+|(?<=["'`(/])assets\/[\w.-]+\.(?:js|css)/g;

/**
 * The shell, and every built file it loads (the page's script and style, and the decoder's
 * worker that the script starts), so that a reload without network still has all of them.
 */
async function cacheShell() {
  const cache = await caches.open(CACHE);
  await cache.addAll(SHELL);
  const page = await (await cache.match('/scanner/')).text();
  const assets = new Set();
  const collect = (text) => {
    for (const [found] of text.matchAll(ASSET)) {
      assets.add(found.startsWith('/') ? found : `/scanner/${found}`);
    }
  };
  collect(page);
  for (const asset of [...assets].filter((url) => url.endsWith('.js'))) {
    const response = await fetch(asset);
    if (response.ok) collect(await response.clone().text());
  }
  await cache.addAll([...assets]);
}

self.addEventListener('install', (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (
    event.request.method !== 'GET' ||
    url.origin !== location.origin ||
    !url.pathname.startsWith('/scanner/')
  )
    return;
  // Network first, so a new version shows as soon as it is deployed; the cache when offline, or
  // when the network has not answered within a few seconds (bad Wi-Fi at a door must not keep
  // the scanner from opening).
  event.respondWith(networkThenCache(event.request));
});

const NETWORK_WAIT_MS = 3000;

async function networkThenCache(request) {
  const network = fetch(request).then((response) => {
    if (response.ok) {
      const copy = response.clone();
      void caches.open(CACHE).then((cache) => cache.put(request, copy));
    }
    return response;
  });
  // What to show without the network: this file as last fetched, or for a page the app shell.
  const fallback =
    (await caches.match(request, { ignoreSearch: true })) ??
    (request.mode === 'navigate' ? await caches.match('/scanner/') : undefined);
  if (!fallback) return network;
  const slow = new Promise((resolve) => setTimeout(resolve, NETWORK_WAIT_MS));
  const answer = await Promise.race([network.catch(() => undefined), slow]);
  return answer ?? fallback;
}
