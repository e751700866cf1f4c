import { describe, expect, it } from '@jest/globals';
import { contentDisposition } from '../src/index';

const starValue = (header: string) => decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(header)?.[1] ?? '');
const fallback = (header: string) => /filename="([^"]*)"/.exec(header)?.[1];

describe('contentDisposition (RFC 6266 + RFC 5987)', () => {
  it('gives an ASCII fallback and the exact UTF-8 name in filename*', () => {
    const h = contentDisposition('Ünïcødé report 東京.pdf', 'attachment');
    expect(h).toBe(
      `attachment; filename="Unic_de report __.pdf"; filename*=UTF-8''%C3%9Cn%C3%AFc%C3%B8d%C3%A9%20report%20%E6%9D%B1%E4%BA%AC.pdf`,
    );
    expect(starValue(h)).toBe('Ünïcødé report 東京.pdf');
  });

  it('strips quotes, backslashes and control characters so the header cannot be broken out of', () => {
    const h = contentDisposition('a"b\\c\r\nSet-Cookie: x=1;.txt', 'inline');
    expect(h.startsWith('inline; ')).toBe(true);
    expect(h).not.toMatch(/[\r\n\\]/);
    expect(fallback(h)).toBe('abcSet-Cookie: x=1_.txt');
    expect(starValue(h)).toBe('abcSet-Cookie: x=1;.txt');
  });

  it("percent-encodes the characters RFC 5987 excludes from attr-char: ' ( ) *", () => {
    expect(contentDisposition("it's (final)*.csv")).toContain("filename*=UTF-8''it%27s%20%28final%29%2A.csv");
  });

  it('drops C1 controls, bidi overrides and isolates, which make a name lie about its extension', () => {
    const h = contentDisposition('\u202Ecod.exe\u0085\u2067\u200F.pdf');
    expect(starValue(h)).toBe('cod.exe.pdf');
    expect(fallback(h)).toBe('cod.exe.pdf');
  });

  it('never yields an empty name', () => {
    expect(fallback(contentDisposition('""'))).toBe('download');
  });
});
