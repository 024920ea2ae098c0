// Integration tests start real JVMs and databases on a 2-core machine.
jest.setTimeout(180_000);
