import { hashApiKey, keyIdOf, RegistryEvent } from '@ndxp/contracts';
import { DomainError } from '@ndxp/platform';

/** API keys of one client subsystem: stream `credential-<client>`. */
export interface CredentialState {
  /** keyId → hash of the keys not revoked. */
  active: Map<string, string>;
}

/** The plaintext key comes in the command (made by the caller) and never goes into an event. */
export type CredentialCommand =
  { kind: 'Issue'; client: string; apiKey: string } | { kind: 'Rotate'; client: string; apiKey: string } | { kind: 'Revoke'; client: string; keyId: string };

export const initialCredential = (): CredentialState => ({ active: new Map() });

export function decideCredential(cmd: CredentialCommand, s: CredentialState): RegistryEvent[] {
  switch (cmd.kind) {
    case 'Issue': {
      const keyHash = hashApiKey(cmd.apiKey);
      return [{ type: 'CredentialIssued', client: cmd.client, keyId: keyIdOf(keyHash), keyHash }];
    }
    case 'Rotate': {
      if (s.active.size === 0) throw new DomainError('NOT_FOUND', `${cmd.client} has no active key to rotate; issue one`, 'client');
      const keyHash = hashApiKey(cmd.apiKey);
      return [
        { type: 'CredentialIssued', client: cmd.client, keyId: keyIdOf(keyHash), keyHash },
        ...[...s.active.keys()].map((keyId): RegistryEvent => ({ type: 'CredentialRevoked', client: cmd.client, keyId })),
      ];
    }
    case 'Revoke':
      if (!s.active.has(cmd.keyId)) throw new DomainError('NOT_FOUND', `${cmd.client} has no active key ${cmd.keyId}`, 'keyId');
      return [{ type: 'CredentialRevoked', client: cmd.client, keyId: cmd.keyId }];
  }
}

export function evolveCredential(s: CredentialState, e: RegistryEvent): CredentialState {
  const active = new Map(s.active);
  if (e.type === 'CredentialIssued') active.set(e.keyId, e.keyHash);
  else if (e.type === 'CredentialRevoked') active.delete(e.keyId);
  else return s;
  return { active };
}
