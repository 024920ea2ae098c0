import { hashApiKey, keyIdOf, RegistryEvent } from '@ndxp/contracts';
import { DomainError } from '@ndxp/platform';

/** Read-only keys of one LGSP's operator: stream `operator-<lgsp>`. */
export interface OperatorState {
  /** keyId → hash of the keys not revoked. */
  active: Map<string, string>;
}

/** The plaintext key comes in the command (made by the caller) and never goes into an event. */
export type OperatorCommand = { kind: 'Issue'; lgsp: string; apiKey: string } | { kind: 'Revoke'; lgsp: string; keyId: string };

export const initialOperator = (): OperatorState => ({ active: new Map() });

/** Issuing adds a key (an operator may hold several, to rotate without a gap); revoking takes one away. */
export function decideOperator(cmd: OperatorCommand, s: OperatorState): RegistryEvent[] {
  if (cmd.kind === 'Issue') {
    const keyHash = hashApiKey(cmd.apiKey);
    return [{ type: 'OperatorCredentialIssued', lgsp: cmd.lgsp, keyId: keyIdOf(keyHash), keyHash }];
  }
  if (!s.active.has(cmd.keyId)) throw new DomainError('NOT_FOUND', `the operator of LGSP ${cmd.lgsp} has no active key ${cmd.keyId}`, 'keyId');
  return [{ type: 'OperatorCredentialRevoked', lgsp: cmd.lgsp, keyId: cmd.keyId }];
}

export function evolveOperator(s: OperatorState, e: RegistryEvent): OperatorState {
  const active = new Map(s.active);
  if (e.type === 'OperatorCredentialIssued') active.set(e.keyId, e.keyHash);
  else if (e.type === 'OperatorCredentialRevoked') active.delete(e.keyId);
  else return s;
  return { active };
}
