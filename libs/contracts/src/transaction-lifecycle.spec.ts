import { Fault } from './faults';
import { TransactionEvent } from './transaction-events';
import { RequestFacts } from './transaction-events';
import { decideTransaction, evolveTransaction, initialTransaction, providerOf, TransactionCommand, TransactionState } from './transaction-lifecycle';

const id = '11111111-1111-4111-8111-111111111111';
const service = 'VN/GOV/000.00.00.G01/CSDLQGDC/citizen-lookup';
const provider = 'VN/GOV/000.00.00.G01/CSDLQGDC';
const request: RequestFacts = {
  xRoadId: 'x-1',
  lgsp: '000.00.00.H26',
  client: 'VN/GOV/000.00.00.H26/MOTCUA',
  service,
  provider,
  userId: 'u-1',
  requestSize: 42,
  requestInAt: 1_000,
};
const denied: Fault = { type: 'Client.ServerProxy.AccessDenied', status: 403, message: 'not granted' };
const timeout: Fault = { type: 'Server.ServerProxy.Timeout', status: 504, message: 'no answer within 5000 ms' };
const answer = { statusCode: 200, responseSize: 17, providerInAt: 1_020, providerOutAt: 1_030 };

/** Given these events happened, when this command arrives, then these events (and this state). */
function given(...history: TransactionEvent[]) {
  const state = history.reduce(evolveTransaction, initialTransaction(id));
  return {
    state,
    when(cmd: TransactionCommand): { events: TransactionEvent[]; state: TransactionState } {
      const events = decideTransaction(cmd, state);
      return { events, state: events.reduce(evolveTransaction, state) };
    },
  };
}

/** Runs commands one after another from the initial state; every event decided on the way. */
function run(...cmds: TransactionCommand[]): { events: TransactionEvent[]; state: TransactionState } {
  let state = initialTransaction(id);
  const events: TransactionEvent[] = [];
  for (const cmd of cmds) {
    const decided = decideTransaction(cmd, state);
    events.push(...decided);
    state = decided.reduce(evolveTransaction, state);
  }
  return { events, state };
}

const routed = run({ kind: 'Request', at: 1_005, request, issue: 'ISS-1' }, { kind: 'Route', at: 1_010, provider }).events;
const requested = routed.slice(0, 1);
const timedOut = given(...routed).when({ kind: 'FinishAtHub', at: 6_000, outcome: 'timedOut', fault: timeout });

describe('transaction lifecycle: at the LGSP gateway', () => {
  it('rejected at the LGSP: one TransactionRejected of stage lgsp, and the client is answered', () => {
    const { events, state } = given().when({ kind: 'RefuseAtLgsp', at: 1_001, request: { ...request, userId: undefined, provider: providerOf(service) }, fault: denied });
    expect(events).toEqual([
      {
        type: 'TransactionRejected',
        eventId: `${id}:TransactionRejected`,
        transactionId: id,
        at: 1_001,
        ...request,
        userId: undefined,
        stage: 'lgsp',
        statusCode: 403,
        faultCode: 'Client.ServerProxy.AccessDenied',
        faultString: 'not granted',
      },
    ]);
    expect(state).toMatchObject({ phase: 'answered', answered: true });
    // the answer was the refusal: nothing more to answer
    expect(decideTransaction({ kind: 'AnswerClient', at: 1_002, request, statusCode: 200 }, state)).toEqual([]);
  });

  it("answers the client once: TransactionAnswered with the hub's outcome, a fault's code and text when there is one", () => {
    const ok = given().when({ kind: 'AnswerClient', at: 1_250, request, statusCode: 200 });
    expect(ok.events).toEqual([{ type: 'TransactionAnswered', eventId: `${id}:TransactionAnswered`, transactionId: id, at: 1_250, ...request, statusCode: 200, durationMs: 250 }]);
    expect(ok.state).toMatchObject({ phase: 'answered', answered: true, request });

    const failed = given().when({ kind: 'AnswerClient', at: 1_300, request, statusCode: 504, faultCode: timeout.type, faultString: timeout.message });
    expect(failed.events[0]).toMatchObject({ statusCode: 504, faultCode: timeout.type, faultString: timeout.message, durationMs: 300 });

    // duplicate: a second answer for the same transaction decides nothing
    expect(given(...ok.events).when({ kind: 'AnswerClient', at: 1_400, request, statusCode: 200 }).events).toEqual([]);
  });

  it('refuses only a transaction that has not started', () => {
    expect(given(...requested).when({ kind: 'RefuseAtLgsp', at: 1_001, request, fault: denied }).events).toEqual([]);
  });
});

describe('transaction lifecycle: at the hub', () => {
  it('rejected at the hub: one TransactionRejected of stage hub, the hub is finished, nothing is routed', () => {
    const { events, state } = given().when({ kind: 'RefuseAtHub', at: 1_005, request, fault: denied });
    expect(events).toEqual([
      {
        type: 'TransactionRejected',
        eventId: `${id}:TransactionRejected`,
        transactionId: id,
        at: 1_005,
        ...request,
        stage: 'hub',
        statusCode: 403,
        faultCode: denied.type,
        faultString: denied.message,
      },
    ]);
    expect(state).toMatchObject({ phase: 'hub-finished', answered: false, routed: false });
    expect(decideTransaction({ kind: 'Route', at: 1_006, provider }, state)).toEqual([]);
    expect(decideTransaction({ kind: 'ProviderResponded', at: 1_050, ...answer }, state)).toEqual([]);
    expect(decideTransaction({ kind: 'RefuseAtHub', at: 1_006, request, fault: denied }, state)).toEqual([]);
  });

  it('completed: Requested, Routed, then Responded (on time) and Completed with the duration from the request', () => {
    const { events, state } = run(
      { kind: 'Request', at: 1_005, request, issue: 'ISS-1' },
      { kind: 'Route', at: 1_010, provider },
      { kind: 'ProviderResponded', at: 1_040, ...answer },
    );
    expect(events).toEqual([
      { type: 'TransactionRequested', eventId: `${id}:TransactionRequested`, transactionId: id, at: 1_005, ...request, issue: 'ISS-1' },
      { type: 'TransactionRouted', eventId: `${id}:TransactionRouted`, transactionId: id, at: 1_010, provider },
      { type: 'TransactionResponded', eventId: `${id}:TransactionResponded`, transactionId: id, at: 1_040, ...answer, late: false },
      { type: 'TransactionCompleted', eventId: `${id}:TransactionCompleted`, transactionId: id, at: 1_040, statusCode: 200, responseSize: 17, durationMs: 40 },
    ]);
    expect(state).toMatchObject({ phase: 'hub-finished', routed: true, responded: true, lateRecorded: false });
  });

  it("failed by the provider: its answer carries a fault, so Responded then Failed with the provider's fault", () => {
    const providerFault: Fault = { type: 'Server.ServiceFailed', status: 502, message: 'database down' };
    const { events, state } = given(...routed).when({ kind: 'ProviderResponded', at: 1_060, ...answer, statusCode: 500, fault: providerFault });
    expect(events.map((e) => e.type)).toEqual(['TransactionResponded', 'TransactionFailed']);
    expect(events[1]).toEqual({
      type: 'TransactionFailed',
      eventId: `${id}:TransactionFailed`,
      transactionId: id,
      at: 1_060,
      statusCode: 502,
      faultCode: providerFault.type,
      faultString: providerFault.message,
      durationMs: 60,
    });
    expect(state.phase).toBe('hub-finished');
  });

  it('failed in the hub: routing broke, Failed with the hub fault and nothing after it', () => {
    const internal: Fault = { type: 'Server.ServerProxy.InternalError', status: 500, message: 'no broker' };
    const { events, state } = given(...routed).when({ kind: 'FinishAtHub', at: 1_100, outcome: 'failed', fault: internal });
    expect(events).toEqual([
      {
        type: 'TransactionFailed',
        eventId: `${id}:TransactionFailed`,
        transactionId: id,
        at: 1_100,
        statusCode: 500,
        faultCode: internal.type,
        faultString: internal.message,
        durationMs: 100,
      },
    ]);
    expect(decideTransaction({ kind: 'FinishAtHub', at: 1_200, outcome: 'timedOut', fault: timeout }, state)).toEqual([]);
  });

  it('timed out at the deadline after routing: TimedOut with the timeout fault', () => {
    expect(timedOut.events).toEqual([
      {
        type: 'TransactionTimedOut',
        eventId: `${id}:TransactionTimedOut`,
        transactionId: id,
        at: 6_000,
        statusCode: 504,
        faultCode: timeout.type,
        faultString: timeout.message,
        durationMs: 5_000,
      },
    ]);
    expect(timedOut.state).toMatchObject({ phase: 'hub-finished', routed: true, responded: false });
  });

  it('timed out before routing: the deadline had passed on arrival, so Requested then TimedOut, never Routed', () => {
    const { events, state } = run({ kind: 'Request', at: 7_000, request }, { kind: 'FinishAtHub', at: 7_000, outcome: 'timedOut', fault: timeout });
    expect(events.map((e) => e.type)).toEqual(['TransactionRequested', 'TransactionTimedOut']);
    expect(state.routed).toBe(false);
    // an answer cannot come for a request never routed
    expect(decideTransaction({ kind: 'ProviderResponded', at: 7_100, ...answer }, state)).toEqual([]);
  });

  it('late answer: after the timeout the answer is recorded once as TransactionResponded{late}, never completing anything', () => {
    const late = given(...routed, ...timedOut.events).when({ kind: 'ProviderResponded', at: 6_500, ...answer });
    expect(late.events).toEqual([{ type: 'TransactionResponded', eventId: `${id}:TransactionResponded:late`, transactionId: id, at: 6_500, ...answer, late: true }]);
    expect(late.state).toMatchObject({ phase: 'hub-finished', lateRecorded: true, responded: false });
  });

  it('duplicate delivery of a late answer: nothing the second time', () => {
    const late = given(...routed, ...timedOut.events).when({ kind: 'ProviderResponded', at: 6_500, ...answer });
    expect(given(...routed, ...timedOut.events, ...late.events).when({ kind: 'ProviderResponded', at: 6_600, ...answer }).events).toEqual([]);
  });

  it('duplicate delivery of an on-time answer: nothing (it is neither late nor a second completion)', () => {
    const done = given(...routed).when({ kind: 'ProviderResponded', at: 1_040, ...answer });
    expect(given(...routed, ...done.events).when({ kind: 'ProviderResponded', at: 1_041, ...answer }).events).toEqual([]);
    expect(given(...routed, ...done.events).when({ kind: 'FinishAtHub', at: 6_000, outcome: 'timedOut', fault: timeout }).events).toEqual([]);
  });

  it('duplicate delivery of the request: nothing the second time, and a second Route changes nothing', () => {
    expect(given(...requested).when({ kind: 'Request', at: 1_006, request }).events).toEqual([]);
    expect(given(...requested).when({ kind: 'RefuseAtHub', at: 1_006, request, fault: denied }).events).toEqual([]);
    expect(given(...routed).when({ kind: 'Route', at: 1_011, provider }).events).toEqual([]);
  });

  it("evolve ignores another transaction's event", () => {
    const other = { ...requested[0], transactionId: 'other' };
    expect(evolveTransaction(initialTransaction(id), other)).toEqual(initialTransaction(id));
  });
});
