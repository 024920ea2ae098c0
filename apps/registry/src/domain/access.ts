import { RegistryEvent } from '@ndxp/contracts';
import { DomainError } from '@ndxp/platform';

/** Access rights of one client subsystem: stream `access-<client>`. Denied unless granted. */
export interface AccessState {
  granted: Set<string>;
}

export type AccessCommand = { kind: 'Grant'; client: string; service: string } | { kind: 'Revoke'; client: string; service: string };

export const initialAccess = (): AccessState => ({ granted: new Set() });

export function decideAccessChange(cmd: AccessCommand, s: AccessState): RegistryEvent[] {
  if (cmd.kind === 'Grant') {
    if (s.granted.has(cmd.service)) return []; // granting twice changes nothing
    return [{ type: 'AccessGranted', client: cmd.client, service: cmd.service }];
  }
  if (!s.granted.has(cmd.service)) throw new DomainError('NOT_FOUND', `${cmd.client} has no access right to ${cmd.service} to revoke`, 'service');
  return [{ type: 'AccessRevoked', client: cmd.client, service: cmd.service }];
}

export function evolveAccess(s: AccessState, e: RegistryEvent): AccessState {
  const granted = new Set(s.granted);
  if (e.type === 'AccessGranted') granted.add(e.service);
  else if (e.type === 'AccessRevoked') granted.delete(e.service);
  else return s;
  return { granted };
}
