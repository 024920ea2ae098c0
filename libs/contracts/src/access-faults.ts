import { Fault, fault, FaultTypes } from './faults';
import { AccessDecision } from './registry-view';

/**
 * The X-Road fault for a refused access decision: a client or provider that is
 * not registered is UnknownMember (AbstractClientMessageProcessor), a service
 * the provider lacks UnknownService, a missing access right AccessDenied.
 * One mapping for both checks: the LGSP's (from its registry view) and the hub's.
 */
export function faultForDenial(d: Extract<AccessDecision, { allowed: false }>): Fault {
  switch (d.reason) {
    case 'unknown-client':
    case 'unknown-member':
      return fault(FaultTypes.unknownMember, d.message);
    case 'unknown-service':
      return fault(FaultTypes.unknownService, d.message);
    case 'not-granted':
      return fault(FaultTypes.accessDenied, d.message);
  }
}
