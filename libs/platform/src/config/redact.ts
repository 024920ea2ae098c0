/**
 * A URL with its password, if any, replaced by `***`: for logs and messages (a DATABASE_URL with a
 * password). Up to the last `@` before the path, as URL parsers take it, so a raw `@` in a password never leaks its tail.
 */
export function maskUrlPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/\s]*):[^/\s]*@/i, '$1:***@');
}
