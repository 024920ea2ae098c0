export * from './topics';
export * from './ping';
export * from './identifiers';
