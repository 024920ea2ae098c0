const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * A URL with its password, if any, replaced by `***`: for logs and messages (a DATABASE_URL with a
 * password). Up to the last `@` before the path, as URL parsers take it, so a raw `@` in a password never
 * leaks its tail. A raw `/`, `?` or `#` in a password ends the host part for a parser: when an `@` follows
 * the host part, everything between `://` and the last `@` is masked (the user too), unless the URL parses
 * with that `@` in its query or fragment only.
 */
export function maskUrlPassword(url: string): string {
  const scheme = SCHEME.exec(url)?.[0];
  if (!scheme) return url;
  const rest = url.slice(scheme.length);
  const authority = rest.split(/[/?#]/, 1)[0];
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const colon = authority.indexOf(':');
    return colon >= 0 && colon < at ? `${scheme}${authority.slice(0, colon)}:***${rest.slice(at)}` : url;
  }
  const last = rest.lastIndexOf('@');
  return last < 0 || atInQueryOnly(url) ? url : `${scheme}***${rest.slice(last)}`;
}

/** Whether `url` parses as a URL without credentials whose `@`s are all in its query or fragment. */
function atInQueryOnly(url: string): boolean {
  try {
    const u = new URL(url);
    return !u.username && !u.password && !`${u.host}${u.pathname}`.includes('@');
  } catch {
    return false;
  }
}
