import { AnalyzeSchedule, addMonths, createPartitionSql, firstMonthKept, monthBounds, monthOf, monthOfPartition, partitionName, partitionsToDrop } from './partitions';

describe('ledger partitions by month', () => {
  it('given a day, when named, then its month, the partition and its bounds (December runs to the next January)', () => {
    expect(monthOf('2022-09-14')).toBe('2022-09');
    expect(partitionName('2022-09')).toBe('transactions_2022_09');
    expect(monthOfPartition('transactions_2022_09')).toBe('2022-09');
    expect(monthOfPartition('transactions_pkey')).toBeUndefined();
    expect(monthBounds('2022-12')).toEqual({ from: '2022-12-01', to: '2023-01-01' });
    expect(createPartitionSql('2022-12')).toBe(
      "CREATE TABLE IF NOT EXISTS ndxp.transactions_2022_12 PARTITION OF ndxp.transactions FOR VALUES FROM ('2022-12-01') TO ('2023-01-01')",
    );
  });

  it('given months across a year, when added or taken away, then the year turns', () => {
    expect(addMonths('2022-01', -1)).toBe('2021-12');
    expect(addMonths('2022-11', 14)).toBe('2024-01');
    expect(addMonths('2022-05', 0)).toBe('2022-05');
  });

  it('given malformed input, when named, then refused (names go into SQL)', () => {
    expect(() => partitionName("2022-09'; DROP TABLE x; --")).toThrow(/not a month/);
    expect(() => monthOf('2022-9-1')).toThrow(/not a day/);
  });

  it('given a retention of 12 months on 2026-11-30, when applied, then Dec 2025 is the first kept and older partitions drop, oldest first', () => {
    expect(firstMonthKept('2026-11-30', 12)).toBe('2025-12');
    expect(firstMonthKept('2026-11-01', 1)).toBe('2026-11');
    const parts = ['transactions_2026_11', 'transactions_2025_12', 'transactions_2025_11', 'transactions_2024_03', 'something_else'];
    expect(partitionsToDrop(parts, '2026-11-30', 12)).toEqual(['transactions_2024_03', 'transactions_2025_11']);
  });

  it('given no retention (0), when applied, then nothing drops; a negative or fractional retention is refused', () => {
    expect(firstMonthKept('2026-11-30', 0)).toBeUndefined();
    expect(partitionsToDrop(['transactions_1999_01'], '2026-11-30', 0)).toEqual([]);
    expect(() => firstMonthKept('2026-11-30', -1)).toThrow();
    expect(() => firstMonthKept('2026-11-30', 1.5)).toThrow();
  });
});

describe('AnalyzeSchedule', () => {
  it('given rows written to a month, then ANALYZE is due at 1,000 rows and then each time the count doubles, per month', () => {
    const s = new AnalyzeSchedule();
    expect(s.wrote('2022-09', 999)).toBe(false);
    expect(s.wrote('2022-09', 1)).toBe(true); // 1,000
    expect(s.wrote('2022-10', 500)).toBe(false); // another month counts on its own
    expect(s.wrote('2022-09', 999)).toBe(false); // 1,999
    expect(s.wrote('2022-09', 1)).toBe(true); // 2,000
    expect(s.wrote('2022-09', 1_999)).toBe(false); // 3,999
    expect(s.wrote('2022-09', 1)).toBe(true); // 4,000
    expect(s.wrote('2022-09', 3_999)).toBe(false); // 7,999: the next is at 8,000
  });
});
