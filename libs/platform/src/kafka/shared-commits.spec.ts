import { ConsumerRunConfig, EachBatchPayload } from 'kafkajs';
import { SharedCommits, withSharedCommits } from './supervised-consumer';

type Offsets = Array<{ topic: string; partition: number; offset: string }>;

/** A send that records each request and answers when told. */
function recordingSend() {
  const sent: Offsets[] = [];
  const answers: Array<{ ok: () => void; fail: (e: Error) => void }> = [];
  const send = (offsets: Offsets) =>
    new Promise<void>((ok, fail) => {
      sent.push(offsets);
      answers.push({ ok, fail });
    });
  return { sent, answers, send };
}

/** A few turns of the event loop: the shared request goes out on the turn after the batches end. */
const tick = async () => {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
};
const at = (partition: number, offset: string) => ({ topic: 't', partition, offset });

describe('SharedCommits', () => {
  it('given three partitions whose batches end in one turn, when each commits, then one request holds all three', async () => {
    const { sent, answers, send } = recordingSend();
    const commits = new SharedCommits(send);
    const done = [commits.commit(at(0, '5')), commits.commit(at(1, '9')), commits.commit(at(2, '3'))];
    await tick();
    expect(sent).toEqual([[at(0, '5'), at(1, '9'), at(2, '3')]]);
    answers[0].ok();
    await Promise.all(done);
  });

  it('given a commit in flight, when another batch ends, then its offset waits for the next request and not before', async () => {
    const { sent, answers, send } = recordingSend();
    const commits = new SharedCommits(send);
    const first = commits.commit(at(0, '5'));
    await tick();
    let secondDone = false;
    const second = commits.commit(at(1, '9')).then(() => (secondDone = true));
    const third = commits.commit(at(1, '12'));
    await tick();
    expect(sent).toEqual([[at(0, '5')]]);
    answers[0].ok();
    await first;
    await tick();
    expect(secondDone).toBe(false);
    // The later offset of a partition replaces the earlier one.
    expect(sent[1]).toEqual([at(1, '12')]);
    answers[1].ok();
    await Promise.all([second, third]);
    expect(secondDone).toBe(true);
  });

  it('given a request that fails, then its batches hear of it, and the next commit is sent all the same', async () => {
    const { sent, answers, send } = recordingSend();
    const commits = new SharedCommits(send);
    const failed = commits.commit(at(0, '5'));
    await tick();
    answers[0].fail(new Error('REBALANCE_IN_PROGRESS'));
    await expect(failed).rejects.toThrow('REBALANCE_IN_PROGRESS');
    const next = commits.commit(at(0, '5'));
    await tick();
    expect(sent).toHaveLength(2);
    answers[1].ok();
    await next;
  });
});

describe('withSharedCommits', () => {
  /** A batch of one partition as kafkajs hands it, with the commit function auto-commit would have used. */
  const payload = (partition: number, lastOffset: string, commitOffsetsIfNecessary: jest.Mock) =>
    ({ batch: { topic: 't', partition, lastOffset: () => lastOffset }, commitOffsetsIfNecessary }) as unknown as EachBatchPayload;

  it('given a batch handler, then kafkajs does not commit, and the batch commits its next offset through its own payload once handled', async () => {
    const commit = jest.fn(async () => undefined);
    const run = withSharedCommits({
      eachBatch: async () => {
        // Not before the handler is done.
        expect(commit).not.toHaveBeenCalled();
      },
    });
    expect(run.autoCommit).toBe(false);
    await run.eachBatch!(payload(2, '41', commit));
    expect(commit).toHaveBeenCalledWith({ topics: [{ topic: 't', partitions: [{ partition: 2, offset: '42' }] }] });
  });

  it('given two partitions of one fetch handled side by side, then one commit holds both', async () => {
    const commit = jest.fn(async () => undefined);
    const run = withSharedCommits({ eachBatch: async () => undefined });
    await Promise.all([run.eachBatch!(payload(0, '9', commit)), run.eachBatch!(payload(1, '19', commit))]);
    expect(commit).toHaveBeenCalledTimes(1);
    expect(commit).toHaveBeenCalledWith({
      topics: [
        {
          topic: 't',
          partitions: [
            { partition: 0, offset: '10' },
            { partition: 1, offset: '20' },
          ],
        },
      ],
    });
  });

  it('given a handler that throws, then nothing is committed and the error reaches kafkajs (which retries the batch)', async () => {
    const commit = jest.fn(async () => undefined);
    const run = withSharedCommits({ eachBatch: async () => Promise.reject(new Error('database away')) });
    await expect(run.eachBatch!(payload(0, '1', commit))).rejects.toThrow('database away');
    expect(commit).not.toHaveBeenCalled();
  });

  it('given a commit the group refuses (a rebalance), then the batch fails with that very error, for kafkajs to rejoin on', async () => {
    const rebalancing = Object.assign(new Error('The group is rebalancing, so a rejoin is needed'), { type: 'REBALANCE_IN_PROGRESS' });
    const run = withSharedCommits({ eachBatch: async () => undefined });
    await expect(
      run.eachBatch!(
        payload(
          0,
          '1',
          jest.fn(async () => Promise.reject(rebalancing)),
        ),
      ),
    ).rejects.toBe(rebalancing);
  });

  it('given a consumer that commits or resolves for itself, then its run is left as it is', () => {
    const own: ConsumerRunConfig = { autoCommit: false, eachBatch: async () => undefined };
    const resolves: ConsumerRunConfig = { eachBatchAutoResolve: false, eachBatch: async () => undefined };
    expect(withSharedCommits(own)).toBe(own);
    expect(withSharedCommits(resolves)).toBe(resolves);
  });
});
