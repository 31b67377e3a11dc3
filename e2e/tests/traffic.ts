import type { Page } from '@playwright/test';

/**
 * Counts what a tab downloads from the moment of the call, through Chromium's DevTools
 * protocol: response bodies as received (decoded, so never less than the bytes on the wire),
 * server-sent events included, and which URLs were asked for.
 */
export async function watchTraffic(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const perRequest = new Map<string, { received: number; events: number; finished: number }>();
  const urls: string[] = [];
  const entry = (id: string) => {
    let e = perRequest.get(id);
    if (!e) perRequest.set(id, (e = { received: 0, events: 0, finished: 0 }));
    return e;
  };
  cdp.on('Network.requestWillBeSent', (e) => urls.push(e.request.url));
  cdp.on('Network.dataReceived', (e) => {
    entry(e.requestId).received += e.dataLength;
  });
  cdp.on('Network.eventSourceMessageReceived', (e) => {
    entry(e.requestId).events += e.data.length;
  });
  cdp.on('Network.loadingFinished', (e) => {
    entry(e.requestId).finished = e.encodedDataLength;
  });
  return {
    bytes: () =>
      [...perRequest.values()].reduce(
        (sum, e) => sum + Math.max(e.received, e.events, e.finished),
        0,
      ),
    urls: () => [...urls],
    stop: () => cdp.detach(),
  };
}
