export * from './topics';
export * from './ping';
