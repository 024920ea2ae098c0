import { agencyCodes, dayAfter, fillSql } from './fill';

describe('ledger-fill', () => {
  it('given the agency list, when read, then the 96 agency codes (ministries and provinces), Hanoi among them', () => {
    const codes = agencyCodes();
    expect(codes).toHaveLength(96);
    expect(codes).toContain('000.00.00.H26');
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('given a day, when days are added, then months and years turn', () => {
    expect(dayAfter('2022-09-30')).toBe('2022-10-01');
    expect(dayAfter('2022-12-31')).toBe('2023-01-01');
    expect(dayAfter('2022-09-01', -1)).toBe('2022-08-31');
  });

  it('given a table, when the statement is made, then rows go there and both counters are counted from them', () => {
    const sql = fillSql('ndxp.transactions_2022_09');
    expect(sql).toContain('INSERT INTO ndxp.transactions_2022_09 (');
    expect(sql).toContain('INSERT INTO ndxp.daily_counters');
    expect(sql).toContain('INSERT INTO ndxp.monthly_counters');
  });
});
