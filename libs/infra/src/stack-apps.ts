/** In start order: the registry first (others fold its events), the databases, the hub, the gateway. */
export const APPS = ['registry', 'providers', 'ndxp', 'lgsp'] as const;
export type StackApp = (typeof APPS)[number];
