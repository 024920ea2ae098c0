import { spawnSync } from 'child_process';

/** A tool the local route needs is missing; the message says what to do instead. */
export class PrerequisiteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrerequisiteError';
  }
}

const ALTERNATIVES = 'Or skip the local broker: set KAFKA_BROKERS to a running Kafka 3.x broker, ' + 'or use the Docker route: docker compose -f docker/docker-compose.yml up';

/** Parses the major version from `java -version` output ("17.0.15", "1.8.0_392" → 8). */
export function parseJavaMajor(output: string): number | undefined {
  const m = output.match(/version "(\d+)(?:\.(\d+))?/);
  if (!m) return undefined;
  const major = Number(m[1]);
  return major === 1 && m[2] ? Number(m[2]) : major;
}

/** Checks that Java 17+ is on PATH; the local Kafka broker is a JVM process. */
export function checkJava(env: NodeJS.ProcessEnv = process.env): { command: string; major: number } {
  const command = env.JAVA_HOME ? `${env.JAVA_HOME}/bin/java` : 'java';
  const r = spawnSync(command, ['-version'], { env, encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new PrerequisiteError(
      `Java 17 or newer is missing (tried '${command}': ${r.error ? (r.error as NodeJS.ErrnoException).code : `exit ${r.status}`}). ` +
        `The local Kafka broker runs on the JVM. Install it (Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless) ` +
        `or set JAVA_HOME. ${ALTERNATIVES}`,
    );
  }
  const major = parseJavaMajor(`${r.stderr}${r.stdout}`);
  if (major === undefined || major < 17) {
    throw new PrerequisiteError(
      `Java ${major ?? '(unknown version)'} found at '${command}', but Kafka 3.9 here needs Java 17 or newer. ` + `Install OpenJDK 17 or point JAVA_HOME at one. ${ALTERNATIVES}`,
    );
  }
  return { command, major };
}

/** Checks that Maven is on PATH; it resolves the Kafka jars from Maven Central on the first run. */
export function checkMaven(env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync('mvn', ['-v'], { env, encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new PrerequisiteError(
      `Maven is missing ('mvn' not found on PATH). The first run downloads the Kafka broker jars from Maven Central with it; ` +
        `later runs use the cache. Install it (Debian/Ubuntu: apt-get install -y maven). ${ALTERNATIVES}`,
    );
  }
  // eslint-disable-next-line no-control-regex -- strips ANSI colour codes (ESC [ ... m)
  return r.stdout.split('\n')[0].replace(/\x1b\[[0-9;]*m/g, '');
}
