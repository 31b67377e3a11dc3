// Mesos answers requests sent to a non-leading master with 307 and
// `Location: //<leader-host>:<port>/<original path>`: protocol-relative, and
// older docs even show a bare `host:port`. The leader's base URL is what is
// left after removing the request path, keeping any prefix the configured
// master URLs carry (e.g. a reverse proxy mounting Mesos under /mesos).

/** Base URL of the master named by a redirect's Location header. */
export function leaderFromLocation(
  location: string,
  requestUrl: string,
  requestPath: string,
): string {
  const current = new URL(requestUrl);
  const absolute = /^[a-z][a-z\d+.-]*:\/\//i.test(location)
    ? location
    : location.startsWith('//')
      ? `${current.protocol}${location}`
      : `${current.protocol}//${location}`;
  const target = new URL(absolute);
  const path = target.pathname.endsWith(requestPath)
    ? target.pathname.slice(0, target.pathname.length - requestPath.length)
    : '';
  return normalizeBaseUrl(`${target.protocol}//${target.host}${path}`);
}

export function normalizeBaseUrl(url: string): string {
  return url.replace(/\/+$/, '');
}
