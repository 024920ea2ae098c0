import { AccessDecision, Fault, fault, FaultTypes } from '@ndxp/contracts';

/** The X-Road fault for a refused access decision. */
export function faultForDenial(d: Extract<AccessDecision, { allowed: false }>): Fault {
  switch (d.reason) {
    case 'unknown-member':
      return fault(FaultTypes.unknownMember, 404, d.message);
    case 'unknown-service':
      return fault(FaultTypes.unknownService, 404, d.message);
    case 'unknown-client':
    case 'not-granted':
      return fault(FaultTypes.accessDenied, 403, d.message);
  }
}
