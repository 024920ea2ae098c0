import { plainToInstance, ClassConstructor } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { maskUrlPassword } from './redact';

/**
 * Thrown when a setting is missing or malformed. The message names every bad
 * setting and what it should look like, so the user can fix it without reading code.
 */
export class ConfigError extends Error {
  constructor(
    readonly app: string,
    readonly problems: string[],
  ) {
    super(
      `${app}: invalid configuration\n` + problems.map((p) => `  - ${p}`).join('\n') + `\nSet the variables above in the environment (see the configuration table in README.md).`,
    );
    this.name = 'ConfigError';
  }
}

/** Settings whose value a message must not repeat (it goes to logs): tokens, secrets, keys, passwords. */
const isSecret = (name: string): boolean => /TOKEN|SECRET|KEY|PASSWORD/.test(name);

function got(name: string, value: unknown): string {
  if (isSecret(name) && typeof value === 'string') return `got ${value.length} characters`;
  // A URL's password (DATABASE_URL's) is masked, the rest shown: it is what the user has to fix.
  return `got ${JSON.stringify(typeof value === 'string' ? maskUrlPassword(value) : (value ?? null))}`;
}

function describe(errors: ValidationError[], env: Record<string, unknown>): string[] {
  return errors.flatMap((e) => Object.values(e.constraints ?? {}).map((msg) => `${e.property}: ${msg} (${got(e.property, env[e.property])})`));
}

/**
 * Reads the environment once at start-up into a typed, validated object.
 * Unknown variables are ignored; `defaults` fill what the environment leaves out.
 */
export function loadConfig<T extends object>(app: string, schema: ClassConstructor<T>, env: NodeJS.ProcessEnv, defaults: Partial<Record<keyof T, string>> = {}): T {
  const raw: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') raw[k] = v;
  const config = plainToInstance(schema, raw, { enableImplicitConversion: false });
  const errors = validateSync(config as object, { whitelist: false, forbidUnknownValues: false, stopAtFirstError: true });
  if (errors.length > 0) throw new ConfigError(app, describe(errors, raw));
  return config;
}
