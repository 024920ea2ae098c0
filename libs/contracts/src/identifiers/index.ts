export * from './result';
export * from './provinces';
export * from './agency-code';
export * from './enterprise-code';
export * from './personal-id';
export * from './insurance-number';
export * from './xroad-id';
