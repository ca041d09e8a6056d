// The pass page's service worker (scope /p/): the holder's phone keeps a copy of each pass page it
// opened, so the QR still shows at a door with no signal (a basement, a crowded field). The code
// in a QR never changes, and the door decides when it scans; the copy says it is one.
const CACHE = 'passgate-passes-v1';
const NETWORK_WAIT_MS = 3000;

self.addEventListener('install', () => self.skipWaiting());

self.addEventListener('activate', (event) => {
  // Take the open pass page over and keep a copy of it at once: it was loaded before this worker
  // existed, and it is the page its holder will want at the door.
  event.waitUntil(
    self.clients
      .claim()
      .then(() => self.clients.matchAll({ type: 'window' }))
      .then((windows) =>
        Promise.all(windows.map((client) => refresh(new Request(client.url)).catch(() => {}))),
      ),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || request.mode !== 'navigate') return;
  event.respondWith(passPage(request, event));
});

/** Fetches a pass page and keeps the copy up to date: stored when shown, dropped when gone. */
async function refresh(request) {
  const response = await fetch(request);
  const cache = await caches.open(CACHE);
  if (response.ok) await cache.put(request, response.clone());
  else if (response.status === 404) await cache.delete(request);
  return response;
}

/**
 * The live page when the network answers in time with one; else the saved copy, marked as such,
 * when there is one: offline, a network that hangs, or a server that cannot build the page now.
 */
async function passPage(request, event) {
  const network = refresh(request);
  event.waitUntil(network.catch(() => {}));
  const saved = await caches.match(request);
  if (!saved) return network;
  const slow = new Promise((resolve) => setTimeout(resolve, NETWORK_WAIT_MS));
  const answer = await Promise.race([network.catch(() => undefined), slow]);
  if (answer && answer.status < 500) return answer;
  const body = (await saved.text()).replace('data-copy="live"', 'data-copy="saved"');
  return new Response(body, { status: 200, headers: saved.headers });
}
