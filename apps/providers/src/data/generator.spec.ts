import { parseEnterpriseCode, parsePersonalId, personalIdContradictions } from '@ndxp/contracts';
import { citizens, enterprises, insuranceParticipants } from './generator';

describe('synthetic national records', () => {
  const people = [...citizens(42, 5000)];

  it('gives the same records for the same seed, and others for another', () => {
    expect([...citizens(42, 50)]).toEqual(people.slice(0, 50));
    expect([...citizens(43, 50)]).not.toEqual(people.slice(0, 50));
  });

  it('keys citizens by unique, valid personal IDs that agree with the record', () => {
    expect(new Set(people.map((p) => p.personalId)).size).toBe(people.length);
    for (const p of people) {
      const id = parsePersonalId(p.personalId);
      if (!id.ok) throw new Error(`${p.personalId}: ${id.reason}`);
      expect(id.value.provinceCode).toBe(p.provinceCode);
      expect(personalIdContradictions(id.value, { birthYear: Number(p.dateOfBirth.slice(0, 4)), sex: p.sex })).toEqual([]);
    }
  });

  it('keys enterprises by valid 10-digit codes and branches by 13-digit codes', () => {
    const list = [...enterprises(42, 500)];
    expect(list).toHaveLength(500);
    expect(new Set(list.map((e) => e.code)).size).toBe(500);
    for (const e of list) expect(parseEnterpriseCode(e.code).ok).toBe(true);
    const branches = list.filter((e) => e.parentCode);
    expect(branches.length).toBeGreaterThan(50);
    for (const b of branches) expect(b.code).toMatch(/^\d{10}-\d{3}$/);
  });

  it('insures most citizens under unique 10-digit numbers with a 15-character card', () => {
    const insured = [...insuranceParticipants(42, people)];
    expect(insured.length / people.length).toBeGreaterThan(0.85);
    expect(new Set(insured.map((i) => i.insuranceNumber)).size).toBe(insured.length);
    for (const i of insured) {
      expect(i.insuranceNumber).toMatch(/^\d{10}$/);
      expect(i.cardNumber).toMatch(/^[A-Z]{2}\d{13}$/);
    }
  });
});
