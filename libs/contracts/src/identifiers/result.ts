/** The outcome of parsing an identifier: the value, or why it is invalid (for a message that names the problem). */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const invalid = <T = never>(reason: string): Parsed<T> => ({ ok: false, reason });
