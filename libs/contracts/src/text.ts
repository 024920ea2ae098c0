/**
 * PostgreSQL's text and jsonb cannot hold U+0000 (SQLSTATE 22021 / 22P05):
 * whatever a producer put on a topic, a read model stores U+FFFD in its place.
 */
export function withoutNul(s: string): string {
  return s.includes('\u0000') ? s.replaceAll('\u0000', '\ufffd') : s;
}
