import { RegistryEvent, ServiceRegistered } from '@ndxp/contracts';

/** Service aggregate: stream `service-<service key>`; a new version re-registers it. */
export interface ServiceState {
  version?: string;
}

export type ServiceCommand = { kind: 'RegisterService' } & Omit<ServiceRegistered, 'type'>;

export const initialService = (): ServiceState => ({});

export function decideService(cmd: ServiceCommand, s: ServiceState): RegistryEvent[] {
  if (s.version === cmd.version) return []; // same version again: nothing changes
  const { kind: _k, ...rest } = cmd;
  return [{ type: 'ServiceRegistered', ...rest }];
}

export function evolveService(s: ServiceState, e: RegistryEvent): ServiceState {
  return e.type === 'ServiceRegistered' ? { version: e.version } : s;
}
