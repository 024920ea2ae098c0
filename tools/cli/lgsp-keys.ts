import { DEFAULT_PLATFORM_SIGNING_KEY, lgspSigningSecret, MIN_SIGNING_KEY_LENGTH, parseAgencyCode } from '@ndxp/contracts';
import { PlanError } from '@ndxp/infra';

/**
 * `ndxp lgsp-keys <LGSP>...`: the settings of a gateway process that hosts these LGSPs and holds their keys only
 * (LGSP_AGENCIES, LGSP_SIGNING_KEYS), each key derived from PLATFORM_SIGNING_KEY as the hub derives it.
 */
export function lgspKeysSettings(platformKey: string, codes: string[]): string[] {
  if (codes.length === 0) throw new PlanError("lgsp-keys needs the LGSPs' agency codes, e.g. lgsp-keys 000.00.00.H26 000.00.00.H29");
  const bad = codes.filter((c) => !parseAgencyCode(c).ok);
  if (bad.length) throw new PlanError(`${bad.join(', ')}: not agency codes of the form 000.00.00.H26`);
  if (platformKey.length < MIN_SIGNING_KEY_LENGTH) throw new PlanError(`PLATFORM_SIGNING_KEY must be at least ${MIN_SIGNING_KEY_LENGTH} characters`);
  const unique = [...new Set(codes)];
  return [`LGSP_AGENCIES=${unique.join(',')}`, `LGSP_SIGNING_KEYS=${unique.map((c) => `${c}=${lgspSigningSecret(platformKey, c)}`).join(',')}`];
}

/**
 * Needs PLATFORM_SIGNING_KEY in the environment: without it, keys derived from the public development default would
 * be printed as if they were the hub's. For the development default, set it to that value on purpose.
 */
export function lgspKeysCommand(args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const platformKey = env.PLATFORM_SIGNING_KEY;
  if (!platformKey)
    throw new PlanError(
      "PLATFORM_SIGNING_KEY is not set: lgsp-keys derives the LGSPs' keys from the hub's PLATFORM_SIGNING_KEY, so run it with that key in the environment " +
        `(for the public development default, PLATFORM_SIGNING_KEY=${DEFAULT_PLATFORM_SIGNING_KEY})`,
    );
  for (const line of lgspKeysSettings(platformKey, args)) process.stdout.write(`${line}\n`);
}
