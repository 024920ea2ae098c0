import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import { ProvidersConfig } from '../providers.config';
import { seedNationalDatabases, seededCounts } from '../data/seeder';

/** Fills empty national tables at start with the default (test-sized) data set. */
@Injectable()
export class NationalSeedService implements OnModuleInit {
  private readonly logger = new Logger(NationalSeedService.name);

  constructor(private readonly config: ProvidersConfig) {}

  async onModuleInit(): Promise<void> {
    const pool = new Pool({ connectionString: this.config.DATABASE_URL, max: 1 });
    try {
      const counts = await seededCounts(pool);
      if (counts.citizens !== undefined) {
        this.logger.log(`national databases hold ${counts.citizens} citizens, ${counts.enterprises} enterprises, ${counts.insurance} insured (seeded earlier)`);
        return;
      }
      const r = await seedNationalDatabases(pool, this.config.NATIONAL_SEED, {
        citizens: this.config.NATIONAL_CITIZENS,
        enterprises: this.config.NATIONAL_ENTERPRISES,
      });
      this.logger.log(
        `seeded ${r.citizens} citizens, ${r.enterprises} enterprises, ${r.insured} insured in ${r.ms} ms (seed ${this.config.NATIONAL_SEED}; ` +
          `'npm run ndxp -- seed-national --citizens 2000000' for a national-sized set)`,
      );
    } finally {
      await pool.end();
    }
  }
}
