import { XROAD_INSTANCE } from './identifiers/xroad-id';

/**
 * The three priority national databases and their services, as the registry
 * seeds them. Member codes are the owners' agency codes (G01 Ministry of Public
 * Security, G05 Ministry of Planning and Investment: confirmed; G24 Vietnam
 * Social Security: a LOW-CONFIDENCE inference, see data/domain). Subsystem and
 * service codes are the emulator's own: the real ones are not public.
 */
export type DatabaseName = 'population' | 'enterprise' | 'insurance';

export interface CatalogueService {
  database: DatabaseName;
  provider: string; // subsystem key
  serviceCode: string;
  version: string;
  method: 'GET' | 'POST';
  /** What the path after the service code holds, e.g. '{personalId}'. */
  pathTemplate: string;
  description: string;
}

export const PROVIDERS: Record<DatabaseName, { subsystem: string; owner: string; name: string }> = {
  population: { subsystem: `${XROAD_INSTANCE}/GOV/000.00.00.G01/CSDLQGDC`, owner: '000.00.00.G01', name: 'CSDL quốc gia về dân cư (national population database)' },
  enterprise: {
    subsystem: `${XROAD_INSTANCE}/GOV/000.00.00.G05/CSDLQGDKDN`,
    owner: '000.00.00.G05',
    name: 'CSDL quốc gia về đăng ký doanh nghiệp (national enterprise registration database)',
  },
  insurance: { subsystem: `${XROAD_INSTANCE}/GOV/000.00.00.G24/CSDLQGBH`, owner: '000.00.00.G24', name: 'CSDL quốc gia về bảo hiểm (national insurance database)' },
};

export const SERVICES: CatalogueService[] = [
  {
    database: 'population',
    provider: PROVIDERS.population.subsystem,
    serviceCode: 'citizen-lookup',
    version: 'v1',
    method: 'GET',
    pathTemplate: '{personalId}',
    description: 'Citizen record by 12-digit personal identification number',
  },
  {
    database: 'population',
    provider: PROVIDERS.population.subsystem,
    serviceCode: 'citizen-verify',
    version: 'v1',
    method: 'POST',
    pathTemplate: '',
    description: 'Checks the fields the caller holds against the record: "match" or the names of the fields that differ',
  },
  {
    database: 'enterprise',
    provider: PROVIDERS.enterprise.subsystem,
    serviceCode: 'enterprise-lookup',
    version: 'v1',
    method: 'GET',
    pathTemplate: '{enterpriseCode}',
    description: 'Enterprise or branch by its 10- or 13-digit code',
  },
  {
    database: 'insurance',
    provider: PROVIDERS.insurance.subsystem,
    serviceCode: 'health-insurance-card',
    version: 'v1',
    method: 'GET',
    pathTemplate: '{insuranceNumberOrPersonalId}',
    description: 'Health-insurance card validity and registered clinic, by insurance number or personal ID',
  },
];

export const serviceKeyOf = (s: CatalogueService): string => `${s.provider}/${s.serviceCode}`;

/** The subsystem seeded for each LGSP agency's one-stop-shop system (the connector's client). */
export const DEFAULT_CLIENT_SUBSYSTEM = 'MOTCUA';
