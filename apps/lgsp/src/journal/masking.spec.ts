import { maskBodyText, maskHeaders, maskJson, maskNumbers, maskUrl } from './masking';

/** The mask written out by hand: stars, then the last 3 characters. */
const m = (v: string) => `${'*'.repeat(v.length - 3)}${v.slice(-3)}`;

describe('masking personal data', () => {
  it('masks 12-digit personal IDs and 10-digit insurance numbers standing alone, keeping the last 3 characters', () => {
    expect(maskNumbers('id 001200000483 and 0123456789.')).toBe('id *********483 and *******789.');
    expect(maskNumbers('0012000004831 12345678901 000.00.00.G01 2026-11-23')).toBe('0012000004831 12345678901 000.00.00.G01 2026-11-23');
  });

  it('masks personal fields of JSON whole, at any depth, numbers in other strings, and leaves the rest', () => {
    const body = {
      personalId: '001200000483',
      fullName: 'Nguyễn Văn An',
      dateOfBirth: '1990-01-02',
      permanentAddress: { street: '12 Hàng Bạc', ward: 'Hàng Đào' },
      hometown: 'Nam Định',
      status: 'alive',
      items: [{ insuranceNumber: 123456789, cardNumber: 'DN4010123456789', note: 'see 0123456789' }],
      legalRepresentative: 'Trần Thị Bình',
      count: 2,
    };
    expect(maskJson(body)).toEqual({
      personalId: '*********483',
      fullName: m('Nguyễn Văn An'),
      dateOfBirth: '*******-02',
      permanentAddress: { street: '********Bạc', ward: '*****Đào' },
      hometown: m('Nam Định'),
      status: 'alive',
      items: [{ insuranceNumber: '******789', cardNumber: '************789', note: 'see *******789' }],
      legalRepresentative: m('Trần Thị Bình'),
      count: 2,
    });
  });

  it('masks a JSON body and writes it back compactly; a text body keeps its form, its numbers and XML personal elements masked', () => {
    expect(maskBodyText('{ "fullName": "Lê Văn Cường", "ok": true }', 'application/json')).toBe('{"fullName":"*********ờng","ok":true}');
    expect(maskBodyText('<c><ns:fullName a="1">Lê Văn Cường</ns:fullName><personalId>001200000483</personalId></c>', 'application/xml')).toBe(
      '<c><ns:fullName a="1">*********ờng</ns:fullName><personalId>*********483</personalId></c>',
    );
    expect(maskBodyText('fullName=L%C3%AA+V%C4%83n&x=1', 'application/x-www-form-urlencoded')).toBe(`fullName=${m('L%C3%AA+V%C4%83n')}&x=1`);
    expect(maskBodyText('{not json 001200000483', 'application/json')).toBe('{not json *********483');
  });

  it('masks the URL path and query: personal numbers anywhere, values of personal fields', () => {
    expect(maskUrl('/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup/001030000483')).toBe('/r1/VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup/*********483');
    expect(maskUrl('/r1/x?id=001200000001&fullName=An+B%C3%ACnh&page=2')).toBe(`/r1/x?id=*********001&fullName=${m('An+B%C3%ACnh')}&page=2`);
  });

  it('masks credentials in every mode, X-Road-UserId and X-Road-Issue unless clear', () => {
    const lines: Array<[string, string]> = [
      ['X-API-Key', 'ndxp_qzP0b71MJLUZbD3eQ'],
      ['Authorization', 'Bearer eyJ.jwt.abc'],
      ['X-Road-UserId', 'VN001200000483'],
      ['X-Road-Client', 'VN/GOV/000.00.00.H26/MOTCUA'],
    ];
    expect(maskHeaders(lines, 'masked')).toEqual([
      ['X-API-Key', m('ndxp_qzP0b71MJLUZbD3eQ')],
      ['Authorization', 'Bearer ********abc'],
      ['X-Road-UserId', '***********483'],
      ['X-Road-Client', 'VN/GOV/000.00.00.H26/MOTCUA'],
    ]);
    expect(maskHeaders(lines, 'clear')[0][1]).toBe(m('ndxp_qzP0b71MJLUZbD3eQ'));
    expect(maskHeaders(lines, 'clear')[2]).toEqual(['X-Road-UserId', 'VN001200000483']);
  });
});
