// `npm run db:migrate`: applies migrations/ (drizzle-kit SQL) to DATABASE_URL.
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';

const migrationsFolder = fileURLToPath(new URL('../migrations', import.meta.url));

export async function migrateDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await migrate(drizzle(client), { migrationsFolder });
  } finally {
    await client.end();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('db:migrate: set DATABASE_URL to the Postgres to migrate');
    process.exit(2);
  }
  await migrateDatabase(url);
  console.log('db:migrate: migrations applied');
}
