import { AgencyRegistered, RegistryEvent, SubsystemRegistered } from '@ndxp/contracts';
import { DomainError } from '@ndxp/platform';

/** Agency aggregate: stream `agency-<code102>`; owns its subsystems. */
export interface AgencyState {
  exists: boolean;
  code102?: string;
  subsystems: Set<string>;
}

export type AgencyCommand = ({ kind: 'RegisterAgency' } & Omit<AgencyRegistered, 'type'>) | ({ kind: 'RegisterSubsystem' } & Omit<SubsystemRegistered, 'type'>);

export const initialAgency = (): AgencyState => ({ exists: false, subsystems: new Set() });

export function decideAgency(cmd: AgencyCommand, s: AgencyState): RegistryEvent[] {
  switch (cmd.kind) {
    case 'RegisterAgency': {
      if (s.exists) throw new DomainError('ALREADY_EXISTS', `agency ${cmd.code102} is already registered`, 'code102');
      const { kind: _k, ...rest } = cmd;
      return [{ type: 'AgencyRegistered', ...rest }];
    }
    case 'RegisterSubsystem': {
      if (!s.exists) throw new DomainError('NOT_FOUND', `agency ${cmd.agency} is not registered`, 'subsystem');
      if (s.subsystems.has(cmd.subsystem)) throw new DomainError('ALREADY_EXISTS', `subsystem ${cmd.subsystem} is already registered`, 'subsystem');
      const { kind: _k, ...rest } = cmd;
      return [{ type: 'SubsystemRegistered', ...rest }];
    }
  }
}

export function evolveAgency(s: AgencyState, e: RegistryEvent): AgencyState {
  if (e.type === 'AgencyRegistered') return { exists: true, code102: e.code102, subsystems: new Set() };
  if (e.type === 'SubsystemRegistered') return { ...s, subsystems: new Set([...s.subsystems, e.subsystem]) };
  return s;
}
