import { maskUrlPassword } from './redact';

describe('maskUrlPassword', () => {
  it('masks the password of a URL and keeps the rest', () => {
    expect(maskUrlPassword('postgres://ndxp:s3cret@db:5432/ndxp?sslmode=require')).toBe('postgres://ndxp:***@db:5432/ndxp?sslmode=require');
    expect(maskUrlPassword('postgresql://u:p%40ss@127.0.0.1/x')).toBe('postgresql://u:***@127.0.0.1/x');
  });

  it('masks up to the last @ before the path, as URL parsers read it: a raw @ in a password leaks nothing', () => {
    expect(maskUrlPassword('postgres://u:p@ss@word@db:5432/ndxp')).toBe('postgres://u:***@db:5432/ndxp');
  });

  it('masks a password holding a raw /, ? or # (which end the host part for a URL parser): everything between :// and the last @', () => {
    expect(maskUrlPassword('postgres://u:pa/ss@h/db')).toBe('postgres://***@h/db');
    expect(maskUrlPassword('postgres://u:7/abc@h:5432/db?sslmode=require')).toBe('postgres://***@h:5432/db?sslmode=require');
    expect(maskUrlPassword('postgres://u:p?ss@h/db')).toBe('postgres://***@h/db');
    expect(maskUrlPassword('postgres://u:p#s/s@word@h/db')).toBe('postgres://***@h/db');
    for (const url of ['postgres://u:pa/ss@h/db', 'postgres://u:7/abc@h/db', 'postgres://u:p?ss@h/db']) expect(maskUrlPassword(url)).not.toMatch(/pa\/ss|abc|p\?ss/);
  });

  it('leaves alone a URL without a password, a port without a user, an @ past the path, and what is not a URL', () => {
    for (const same of ['postgres://postgres@127.0.0.1:5432/ndxp', 'postgres://db:5432/ndxp?x=a@b', 'localhost:9092', 'eighty']) expect(maskUrlPassword(same)).toBe(same);
  });
});
