import { faultForDenial } from './access-faults';
import { FaultTypes } from './faults';

describe('faultForDenial', () => {
  it.each([
    ['unknown-client', FaultTypes.unknownMember],
    ['unknown-member', FaultTypes.unknownMember],
    ['unknown-service', FaultTypes.unknownService],
    ['not-granted', FaultTypes.accessDenied],
  ] as const)('given a denial for %s, when mapped, then the fault is %s (500) with the decision’s message', (reason, type) => {
    expect(faultForDenial({ allowed: false, reason, message: 'why' })).toEqual({ type, status: 500, message: 'why' });
  });
});
