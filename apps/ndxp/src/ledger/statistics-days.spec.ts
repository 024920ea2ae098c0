import { statisticsDays, wholeMonths } from './ledger.service';

describe('the days a statistics query covers', () => {
  it('given a month, when asked, then its first and last day (February of a leap year has 29)', () => {
    expect(statisticsDays({ month: '2022-09' })).toEqual({ from: '2022-09-01', to: '2022-09-30' });
    expect(statisticsDays({ month: '2024-02' })).toEqual({ from: '2024-02-01', to: '2024-02-29' });
    expect(statisticsDays({ month: '2022-12' })).toEqual({ from: '2022-12-01', to: '2022-12-31' });
  });

  it('given a month and from/to, when asked, then the days in both; without a month, from/to as given', () => {
    expect(statisticsDays({ month: '2022-09', from: '2022-09-10', to: '2022-10-05' })).toEqual({ from: '2022-09-10', to: '2022-09-30' });
    expect(statisticsDays({ from: '2022-09-10' })).toEqual({ from: '2022-09-10', to: undefined });
  });
});

describe('whole months (read from the monthly counters)', () => {
  it('given the first day of a month to the last of one, or open ends, then whole; a day inside a month at either end, then not', () => {
    expect(wholeMonths('2022-09-01', '2022-09-30')).toBe(true);
    expect(wholeMonths('2022-09-01', '2022-11-30')).toBe(true);
    expect(wholeMonths(undefined, undefined)).toBe(true);
    expect(wholeMonths('2024-02-01', '2024-02-29')).toBe(true);
    expect(wholeMonths('2022-09-02', '2022-09-30')).toBe(false);
    expect(wholeMonths('2022-09-01', '2022-09-29')).toBe(false);
    expect(wholeMonths(undefined, '2024-02-28')).toBe(false);
  });
});
