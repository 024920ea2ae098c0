import { checkJava, checkMaven, parseJavaMajor, PrerequisiteError } from './prerequisites';

describe('prerequisites', () => {
  it('parses Java major versions of both numbering schemes', () => {
    expect(parseJavaMajor('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(parseJavaMajor('java version "1.8.0_392"')).toBe(8);
    expect(parseJavaMajor('openjdk version "21" 2023-09-19')).toBe(21);
    expect(parseJavaMajor('no version here')).toBeUndefined();
  });

  it('names the missing java and the ways around it', () => {
    // A PATH with no java on it: the real lookup fails as it would on a bare machine.
    const env = { PATH: '/nonexistent' };
    expect(() => checkJava(env)).toThrow(PrerequisiteError);
    try {
      checkJava(env);
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toMatch(/Java 17 or newer is missing/);
      expect(msg).toMatch(/ENOENT/);
      expect(msg).toMatch(/KAFKA_BROKERS/);
      expect(msg).toMatch(/docker compose -f docker\/docker-compose.yml up/);
    }
  });

  it('names a missing maven', () => {
    expect(() => checkMaven({ PATH: '/nonexistent' })).toThrow(/Maven is missing/);
  });

  it('finds the java on this machine', () => {
    expect(checkJava(process.env).major).toBeGreaterThanOrEqual(17);
  });
});
