import { KAFKA_VERSION, PlanError, resolveInfraPlan } from './infra-plan';

const nothing = { postgresServerAnswers: false, dockerEngineAnswers: false };
const local = { postgresServerAnswers: true, dockerEngineAnswers: false };

describe('resolveInfraPlan', () => {
  it('uses KAFKA_BROKERS and DATABASE_URL when set, whatever the machine has', () => {
    const plan = resolveInfraPlan(
      { KAFKA_BROKERS: 'kafka:9092', DATABASE_URL: 'postgres://u:p@db:5432/x', NDXP_TESTCONTAINERS: '1' },
      { postgresServerAnswers: true, dockerEngineAnswers: true },
    );
    expect(plan.kafka).toEqual({ mode: 'external', brokers: 'kafka:9092' });
    expect(plan.postgres).toEqual({ mode: 'external', url: 'postgres://u:p@db:5432/x' });
  });

  it('starts a local broker and uses the Postgres server on 5432 when it answers', () => {
    const plan = resolveInfraPlan({}, local);
    expect(plan.kafka).toEqual({ mode: 'local', port: 9092, controllerPort: 9093, heap: '768m', version: KAFKA_VERSION, nodes: [{ port: 9092, controllerPort: 9093 }] });
    expect(plan.postgres).toEqual({ mode: 'local-server', url: 'postgres://postgres@127.0.0.1:5432/ndxp' });
    expect(plan.apps).toEqual({ registry: 3001, ndxp: 3002, lgsp: 3003, providers: 3004 });
  });

  it('falls back to an embedded PostgreSQL when no server answers', () => {
    const plan = resolveInfraPlan({ NDXP_DATABASE: 'ndxp_ci' }, nothing);
    expect(plan.postgres).toEqual({ mode: 'embedded', port: 54329, url: 'postgres://postgres:postgres@127.0.0.1:54329/ndxp_ci' });
  });

  it('uses the embedded PostgreSQL when NDXP_POSTGRES=embedded, even if a server answers', () => {
    expect(resolveInfraPlan({ NDXP_POSTGRES: 'embedded', EMBEDDED_PG_PORT: '55000' }, local).postgres).toEqual({
      mode: 'embedded',
      port: 55000,
      url: 'postgres://postgres:postgres@127.0.0.1:55000/ndxp',
    });
  });

  it('uses testcontainers only when asked for and a Docker engine answers', () => {
    expect(resolveInfraPlan({ NDXP_TESTCONTAINERS: '1' }, nothing).kafka.mode).toBe('local');
    const plan = resolveInfraPlan({ NDXP_TESTCONTAINERS: '1' }, { postgresServerAnswers: true, dockerEngineAnswers: true });
    expect(plan.kafka.mode).toBe('testcontainers');
    expect(plan.postgres.mode).toBe('testcontainers');
  });

  it('takes ports from the environment', () => {
    const plan = resolveInfraPlan({ KAFKA_PORT: '19092', KAFKA_CONTROLLER_PORT: '19093', LGSP_PORT: '8080' }, local);
    expect(plan.kafka).toMatchObject({ port: 19092, controllerPort: 19093 });
    expect(plan.apps.lgsp).toBe(8080);
  });

  it('given KAFKA_CLUSTER_SIZE=3, then three local brokers two ports apart, each with its controller, and a smaller heap each', () => {
    const plan = resolveInfraPlan({ KAFKA_CLUSTER_SIZE: '3' }, local);
    expect(plan.kafka).toMatchObject({
      mode: 'local',
      port: 9092,
      controllerPort: 9093,
      heap: '512m',
      nodes: [
        { port: 9092, controllerPort: 9093 },
        { port: 9094, controllerPort: 9095 },
        { port: 9096, controllerPort: 9097 },
      ],
    });
    expect(resolveInfraPlan({ KAFKA_CLUSTER_SIZE: '3', KAFKA_HEAP: '1g' }, local).kafka).toMatchObject({ heap: '1g' });
  });

  it.each([
    [{ KAFKA_CLUSTER_SIZE: '0' }, /KAFKA_CLUSTER_SIZE \(--brokers\) must be a whole number of local brokers from 1 to 9, e.g. 3 \(got "0"\)/],
    [{ KAFKA_CLUSTER_SIZE: 'three' }, /KAFKA_CLUSTER_SIZE .*got "three"/],
    [{ KAFKA_CLUSTER_SIZE: '2.5' }, /KAFKA_CLUSTER_SIZE .*got "2.5"/],
    [{ KAFKA_CLUSTER_SIZE: '3', KAFKA_BROKERS: 'kafka:9092' }, /KAFKA_CLUSTER_SIZE \(--brokers\) starts local brokers, but KAFKA_BROKERS points at a broker of yours/],
    [{ KAFKA_CLUSTER_SIZE: '3', KAFKA_PORT: '9092', KAFKA_CONTROLLER_PORT: '9094' }, /port 9094 would be both broker 1's controller port and broker 2's client port/],
    [{ KAFKA_CLUSTER_SIZE: '3', KAFKA_PORT: '65532', KAFKA_CONTROLLER_PORT: '9093' }, /broker 3's client port would be 65536, above 65535/],
  ])('given a cluster setting it cannot honour (%j), then it refuses naming the setting', (env, message) => {
    expect(() => resolveInfraPlan(env, local)).toThrow(PlanError);
    expect(() => resolveInfraPlan(env, local)).toThrow(message);
  });

  it('given KAFKA_CONTROLLER_PORT an even number apart but beyond the cluster, then no port is shared', () => {
    const nodes = (resolveInfraPlan({ KAFKA_CLUSTER_SIZE: '3', KAFKA_PORT: '9092', KAFKA_CONTROLLER_PORT: '9098' }, local).kafka as { nodes: object[] }).nodes;
    expect(nodes).toEqual([
      { port: 9092, controllerPort: 9098 },
      { port: 9094, controllerPort: 9100 },
      { port: 9096, controllerPort: 9102 },
    ]);
  });

  it.each([
    [{ KAFKA_BROKERS: 'no-port' }, /KAFKA_BROKERS/],
    [{ DATABASE_URL: 'mysql://x/y' }, /DATABASE_URL/],
    [{ KAFKA_PORT: '99999' }, /KAFKA_PORT must be a port number/],
    [{ KAFKA_PORT: '9093' }, /must differ/],
    [{ KAFKA_HEAP: 'lots' }, /KAFKA_HEAP/],
    [{ NDXP_DATABASE: 'Drop Table' }, /NDXP_DATABASE/],
    [{ NDXP_POSTGRES: 'mysql' }, /NDXP_POSTGRES must be auto or embedded/],
  ])('rejects %j with a message naming the setting', (env, message) => {
    expect(() => resolveInfraPlan(env, local)).toThrow(PlanError);
    expect(() => resolveInfraPlan(env, local)).toThrow(message);
  });

  it('names a bad DATABASE_URL with its password masked', () => {
    expect(() => resolveInfraPlan({ DATABASE_URL: 'postgres://ndxp:s3cret-pw@db:5432/' }, local)).toThrow(/\(got "postgres:\/\/ndxp:\*\*\*@db:5432\/"\)/);
  });

  describe('Kafka logins (KAFKA_SASL_*)', () => {
    const sasl = { KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'ndxp-apps', KAFKA_SASL_PASSWORD: 'a-private-kafka-password' };

    it('given all three and no KAFKA_BROKERS, when planned, then the local broker gets the SCRAM user', () => {
      expect(resolveInfraPlan(sasl, local).kafka).toMatchObject({ mode: 'local', sasl: { mechanism: 'scram-sha-256', username: 'ndxp-apps', password: sasl.KAFKA_SASL_PASSWORD } });
      expect(resolveInfraPlan({}, local).kafka).not.toHaveProperty('sasl');
    });

    it("given KAFKA_BROKERS, when planned, then the settings are the apps' alone (any password the broker takes)", () => {
      expect(resolveInfraPlan({ ...sasl, KAFKA_BROKERS: 'kafka:9092', KAFKA_SASL_PASSWORD: 'with,comma "and" quotes' }, local).kafka).toEqual({
        mode: 'external',
        brokers: 'kafka:9092',
      });
    });

    it.each([
      [{ KAFKA_SASL_USERNAME: 'ndxp-apps' }, /KAFKA_SASL_MECHANISM: must be scram-sha-256 or scram-sha-512.*KAFKA_SASL_PASSWORD: must be set/],
      [{ ...sasl, KAFKA_SASL_MECHANISM: 'plain' }, /KAFKA_SASL_MECHANISM: must be scram-sha-256 or scram-sha-512/],
      [{ ...sasl, KAFKA_SASL_USERNAME: 'ndxp apps' }, /KAFKA_SASL_USERNAME must be 1-64 letters/],
      [{ ...sasl, KAFKA_SASL_PASSWORD: 'short' }, /KAFKA_SASL_PASSWORD must be 8 or more printable ASCII characters .*\(got 5 characters\)/],
      [{ ...sasl, KAFKA_SASL_PASSWORD: 'with,a-comma' }, /KAFKA_SASL_PASSWORD must be/],
      [{ ...sasl, KAFKA_SASL_PASSWORD: 'with"a-quote' }, /KAFKA_SASL_PASSWORD must be/],
      [{ KAFKA_SSL: 'true' }, /KAFKA_SSL=true needs a broker with TLS/],
    ])('given %j for the local broker, when planned, then refused naming the setting, never showing a password', (env, message) => {
      expect(() => resolveInfraPlan(env, local)).toThrow(message);
      let text = '';
      try {
        resolveInfraPlan(env, local);
      } catch (e) {
        text = (e as Error).message;
      }
      if ('KAFKA_SASL_PASSWORD' in env) expect(text).not.toContain(env.KAFKA_SASL_PASSWORD);
    });

    it('given SASL and testcontainers, when planned, then refused: that broker has no logins', () => {
      expect(() => resolveInfraPlan({ ...sasl, NDXP_TESTCONTAINERS: '1' }, { postgresServerAnswers: true, dockerEngineAnswers: true })).toThrow(
        /testcontainers broker has neither/,
      );
    });
  });
});
