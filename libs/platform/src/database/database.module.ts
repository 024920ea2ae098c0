import { DynamicModule, Logger } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client, types } from 'pg';

// A SQL date is a calendar day, not an instant: keep it 'YYYY-MM-DD' instead of
// a JavaScript Date at the server's midnight.
types.setTypeParser(1082, (v: string) => v);
import { DataSource, DataSourceOptions } from 'typeorm';
import { maskUrlPassword } from '../config/redact';

export interface DatabaseSettings {
  url: string;
  /** Each app owns one schema in the shared database. */
  schema: string;
  entities: NonNullable<DataSourceOptions['entities']>;
  migrations: NonNullable<DataSourceOptions['migrations']>;
}

/** Turns the driver's terse connection errors into a message that says what to do. */
export function explainDatabaseError(url: string, e: unknown): Error {
  const err = e as { code?: string; message?: string };
  const safeUrl = maskUrlPassword(url);
  if (err.code === '3D000') return new Error(`${err.message} at ${safeUrl}: run 'npm start' once (the launcher creates it) or CREATE DATABASE it yourself.`);
  if (err.code === 'ECONNREFUSED') return new Error(`PostgreSQL refuses connections at ${safeUrl}: start it, or let 'npm start' bring one up, or set DATABASE_URL.`);
  return new Error(`cannot use PostgreSQL at ${safeUrl}: ${err.message ?? String(e)}`);
}

/** Creates the app's schema: TypeORM needs it before it can create its migrations table there. */
async function ensureSchema(url: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } catch (e) {
    throw explainDatabaseError(url, e);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function dataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    schema: settings.schema,
    entities: settings.entities,
    migrations: settings.migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    extra: { max: 10 },
  };
}

/** Connects and runs the app's pending migrations before anything else touches the tables. */
export async function openDatabase(settings: DatabaseSettings): Promise<DataSource> {
  await ensureSchema(settings.url, settings.schema);
  const ds = new DataSource(dataSourceOptions(settings));
  await ds.initialize();
  const applied = await ds.runMigrations({ transaction: 'each' });
  if (applied.length > 0) new Logger('Database').log(`schema ${settings.schema}: applied ${applied.map((m) => m.name).join(', ')}`);
  return ds;
}

export class DatabaseModule {
  static forApp(settings: DatabaseSettings): DynamicModule {
    return TypeOrmModule.forRootAsync({
      useFactory: () => dataSourceOptions(settings),
      dataSourceFactory: async () => openDatabase(settings),
    });
  }
}
