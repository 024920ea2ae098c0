import { DEFAULT_PLATFORM_SIGNING_KEY, DEFAULT_PROVIDER_SIGNING_KEY, DEFAULT_SEED_SECRET } from '@ndxp/contracts';
import { ConfigError } from './load-config';

/** Development default of ADMIN_TOKEN: public (README, source), so refused outside development mode. */
export const DEFAULT_ADMIN_TOKEN = 'ndxp-admin-dev-token';

/** Settings whose development default is public, with that default. */
export const PUBLIC_DEFAULTS: Readonly<Record<string, string>> = {
  ADMIN_TOKEN: DEFAULT_ADMIN_TOKEN,
  FAULTS_ADMIN_TOKEN: DEFAULT_ADMIN_TOKEN,
  PROJECTION_ADMIN_TOKEN: DEFAULT_ADMIN_TOKEN,
  REGISTRY_SEED_SECRET: DEFAULT_SEED_SECRET,
  PLATFORM_SIGNING_KEY: DEFAULT_PLATFORM_SIGNING_KEY,
  PROVIDER_SIGNING_KEY: DEFAULT_PROVIDER_SIGNING_KEY,
};

/** What each secret protects, for the messages (and the README's "Running it shared"). */
const PROTECTS: Record<string, string> = {
  ADMIN_TOKEN: 'every admin API: registry changes, faults, projection rebuilds, the whole ledger',
  FAULTS_ADMIN_TOKEN: 'the fault settings of the national databases',
  PROJECTION_ADMIN_TOKEN: 'projection rebuilds',
  REGISTRY_SEED_SECRET: "the seeded API keys: with the default anyone can compute any one-stop-shop system's key",
  PLATFORM_SIGNING_KEY: 'requests from the LGSP gateways to the hub over Kafka: with the default anyone who can write to Kafka poses as any LGSP',
  PROVIDER_SIGNING_KEY: "requests from the hub to the national databases over Kafka: with the default anyone who can write to Kafka skips the hub's access checks",
};

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Development mode is a laptop: the apps bind a loopback address and NODE_ENV
 * is not `production`. Anything else (a container, a shared host) is not, and
 * `reason` says which setting made it so.
 */
export function developmentMode(host: string, nodeEnv: string | undefined): { development: boolean; reason: string } {
  if (nodeEnv === 'production') return { development: false, reason: 'NODE_ENV=production' };
  if (!isLoopback(host)) return { development: false, reason: `HOST=${host} is not a loopback address` };
  return { development: true, reason: `HOST=${host} and NODE_ENV is not production` };
}

/** Which of `names` hold their public default in `settings` (an unset optional token holds none). */
export function publicSecretsIn(settings: Record<string, unknown>, names: readonly string[] = Object.keys(PUBLIC_DEFAULTS)): string[] {
  return names.filter((n) => n in PUBLIC_DEFAULTS && settings[n] === PUBLIC_DEFAULTS[n]);
}

/**
 * Outside development mode a public default is refused: throws a ConfigError
 * naming each such variable and what to do (the app exits 78 like any bad setting).
 */
export function refuseDefaultSecrets(app: string, settings: Record<string, unknown> & { HOST: string }, nodeEnv: string | undefined, names?: readonly string[]): void {
  const mode = developmentMode(settings.HOST, nodeEnv);
  if (mode.development) return;
  const found = publicSecretsIn(settings, names);
  if (found.length === 0) return;
  throw new ConfigError(
    app,
    found.map(
      (n) =>
        `${n}: is the public development default, refused outside development mode (${mode.reason}); it guards ${PROTECTS[n]}. ` +
        `Set a private value, e.g. ${n}=$(openssl rand -hex 24)`,
    ),
  );
}

/** Starts the development-mode warning: the launcher shows it once per stack, not once per app. */
export const DEV_MODE_MARK = 'DEVELOPMENT MODE, KEYS ARE PUBLIC';

/** The loud start-up line of development mode; undefined when no public default is in use. Starts with DEV_MODE_MARK. */
export function developmentWarning(names: string[]): string | undefined {
  if (names.length === 0) return undefined;
  return (
    `${DEV_MODE_MARK}: ${names.join(', ')} ${names.length === 1 ? 'is its' : 'are their'} public default: anyone who reaches these ports can use ${names.length === 1 ? 'it' : 'them'} ` +
    `(${names.map((n) => PROTECTS[n]).join('; ')}). Fine on a laptop; with a non-loopback HOST or NODE_ENV=production the apps refuse to start (README: Running it shared)`
  );
}

/**
 * The warning for a stack the launcher starts with this environment (the apps
 * get it, with their defaults): said once per stack; the apps' own copies are dropped.
 */
export function stackDevelopmentWarning(env: NodeJS.ProcessEnv): string | undefined {
  const settings: Record<string, unknown> = {
    ADMIN_TOKEN: DEFAULT_ADMIN_TOKEN,
    REGISTRY_SEED_SECRET: DEFAULT_SEED_SECRET,
    PLATFORM_SIGNING_KEY: DEFAULT_PLATFORM_SIGNING_KEY,
    PROVIDER_SIGNING_KEY: DEFAULT_PROVIDER_SIGNING_KEY,
  };
  for (const n of Object.keys(PUBLIC_DEFAULTS)) if (env[n]) settings[n] = env[n];
  if (!developmentMode(env.HOST || '127.0.0.1', env.NODE_ENV).development) return undefined; // the apps refuse public defaults themselves
  return developmentWarning(publicSecretsIn(settings));
}
