import { registerDecorator, ValidationArguments } from 'class-validator';
import { DEFAULT_PLATFORM_SIGNING_KEY, DEFAULT_PROVIDER_SIGNING_KEY } from '@ndxp/contracts';
import { AppConfig, IsSigningKey } from '@ndxp/platform';

/** The provider key must not be the gateways' key: a gateway holding it could write to a database's topic past the hub. */
function DiffersFrom(other: keyof NdxpConfig): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'differsFrom',
      target: target.constructor,
      propertyName: propertyName as string,
      constraints: [other],
      options: { message: `must differ from ${other} (the LGSP gateways hold that one; with the same key a gateway could call a national database past the hub)` },
      validator: { validate: (value: unknown, args: ValidationArguments) => value !== (args.object as Record<string, unknown>)[other] },
    });
}

export class NdxpConfig extends AppConfig {
  /** Checks that each LGSP request comes from a gateway (they sign with the same key); anything else is refused at the hub. */
  @IsSigningKey() PLATFORM_SIGNING_KEY!: string;

  /** Signs every request to the national databases, which refuse what they cannot verify. */
  @IsSigningKey() @DiffersFrom('PLATFORM_SIGNING_KEY') PROVIDER_SIGNING_KEY!: string;
}

export const ndxpDefaults = { PLATFORM_SIGNING_KEY: DEFAULT_PLATFORM_SIGNING_KEY, PROVIDER_SIGNING_KEY: DEFAULT_PROVIDER_SIGNING_KEY };
