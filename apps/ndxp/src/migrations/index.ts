import { Ledger1763940000000 } from './1763940000000-ledger';
import { LedgerInjected1764480000000 } from './1764480000000-ledger-injected';
import { AdminAudit1764600000000 } from './1764600000000-admin-audit';
import { CountersLgsp1765200000000 } from './1765200000000-counters-lgsp';
import { CountersLgspNoDefault1765300000000 } from './1765300000000-counters-lgsp-no-default';
import { AdminAuditCount1765400000000 } from './1765400000000-admin-audit-count';
import { LedgerByMonth1765500000000 } from './1765500000000-ledger-by-month';
import { MonthlyCounters1765600000000 } from './1765600000000-monthly-counters';

/** The hub's schema, in order: what the app runs, and what a test of its parts must run too. */
export const NDXP_MIGRATIONS = [
  Ledger1763940000000,
  LedgerInjected1764480000000,
  AdminAudit1764600000000,
  CountersLgsp1765200000000,
  CountersLgspNoDefault1765300000000,
  AdminAuditCount1765400000000,
  LedgerByMonth1765500000000,
  MonthlyCounters1765600000000,
];
