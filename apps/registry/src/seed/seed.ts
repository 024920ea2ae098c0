import { readFileSync } from 'fs';
import { parse } from 'csv-parse/sync';
import { DEFAULT_CLIENT_SUBSYSTEM, parseAgencyCode, PROVIDERS, seedApiKey, serviceKeyOf, SERVICES, toDecision20, XROAD_INSTANCE } from '@ndxp/contracts';
import { AgencyRegistered } from '@ndxp/contracts';

export interface AgencyRow {
  code102: string;
  level1: string;
  name_vi: string;
  name_en: string;
  kind: string;
  confirmed: string;
}

/** Reads the agency list (data/domain/agency-codes.csv or SEED_AGENCIES_FILE), with clear errors for bad rows. */
export function readAgencies(file: string): AgencyRegistered[] {
  const rows: AgencyRow[] = parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true, trim: true });
  return rows.map((r, i) => {
    const code = parseAgencyCode(r.code102);
    if (!code.ok) throw new Error(`${file} line ${i + 2}: code102 ${code.reason}`);
    return {
      type: 'AgencyRegistered',
      code102: r.code102,
      decision20: toDecision20(code.value),
      nameVi: r.name_vi,
      nameEn: r.name_en,
      level: code.value.level,
      category: r.kind,
      // Codes the source marks 'inferred' are UNCONFIRMED: replace the file with an official list.
      codeConfirmed: r.confirmed === 'yes',
      // The 85 LGSPs of 2020-2024: 22 ministries and ministry-level agencies, 63 provinces.
      hasLgsp: r.kind === 'ministry' || r.kind === 'province',
    };
  });
}

export interface SeedPlan {
  agencies: AgencyRegistered[];
  clients: Array<{ subsystem: string; agency: string; apiKey: string }>;
}

export function seedPlan(agencyFile: string, seedSecret: string): SeedPlan {
  const agencies = readAgencies(agencyFile);
  const owners = new Set(Object.values(PROVIDERS).map((p) => p.owner));
  for (const owner of owners) if (!agencies.some((a) => a.code102 === owner)) throw new Error(`${agencyFile} lacks ${owner}, the owner of a national database`);
  const clients = agencies
    .filter((a) => a.hasLgsp)
    .map((a) => {
      const subsystem = `${XROAD_INSTANCE}/GOV/${a.code102}/${DEFAULT_CLIENT_SUBSYSTEM}`;
      return { subsystem, agency: a.code102, apiKey: seedApiKey(seedSecret, subsystem) };
    });
  return { agencies, clients };
}

export const seededServiceKeys = (): string[] => SERVICES.map(serviceKeyOf);
