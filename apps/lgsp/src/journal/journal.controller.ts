import { Controller, Get, HttpException, Query, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiErrorBody, ledgerReaderOf, LedgerReader, readerChecks, RegistryViewService } from '@ndxp/platform';
import { LgspConfig } from '../lgsp.config';
import { maskedEntry } from './capture';
import { buildHar, harEntry } from './har';
import { JournalEntry, JournalFilter } from './journal';
import { JournalService } from './journal.service';

/** The version the HAR's creator names (package.json's, kept here so the build needs no JSON import). */
export const EMULATOR_VERSION = '0.1.0';
const MAX_LIMIT = 100_000;

export type JournalQuery = Partial<Record<'client' | 'service' | 'lgsp' | 'xRoadId' | 'from' | 'to' | 'outcome' | 'limit', string | string[]>>;

const bad = (message: string): ApiErrorBody => ({ statusCode: 400, code: 'INVALID_QUERY', message });

/** The filter a query asks for, or why it cannot be used (400). `from`/`to`: ISO 8601 or epoch milliseconds. */
export function journalFilterOf(q: JournalQuery): JournalFilter | ApiErrorBody {
  const f: JournalFilter = {};
  for (const [name, raw] of Object.entries(q)) {
    if (raw === undefined) continue;
    if (typeof raw !== 'string') return bad(`${name}: give it once`);
    if (name === 'client' || name === 'service' || name === 'lgsp' || name === 'xRoadId' || name === 'outcome') f[name] = raw;
    else if (name === 'from' || name === 'to') {
      const at = /^\d{1,15}$/.test(raw) ? Number(raw) : /^\d{4}-\d{2}-\d{2}/.test(raw) ? Date.parse(raw) : NaN;
      if (Number.isNaN(at)) return bad(`${name}: must be an ISO 8601 date-time (e.g. 2026-11-23T00:00:00+07:00) or epoch milliseconds`);
      f[name] = at;
    } else if (name === 'limit') {
      if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_LIMIT) return bad(`limit: must be a whole number from 1 to ${MAX_LIMIT}`);
      f.limit = Number(raw);
    }
  }
  return f;
}

const isError = (v: object): v is ApiErrorBody => 'code' in v && 'statusCode' in v;

@ApiTags('journal')
@Controller()
export class JournalController {
  constructor(
    private readonly journal: JournalService,
    private readonly config: LgspConfig,
    private readonly registry: RegistryViewService,
  ) {}

  @Get('journal')
  @ApiOperation({
    summary: "This gateway process's request journal: every exchange, request and answer with headers and bodies (personal data masked by default), latest last",
    description:
      "The admin token reads every entry; an LGSP's operator, by its key, the entries of its LGSP (personal data masked whatever JOURNAL_BODIES says); " +
      'a client subsystem, by its X-API-Key, only the requests sent with its own credential.',
  })
  @ApiHeader({ name: 'X-API-Key', required: false })
  @ApiQuery({ name: 'lgsp', required: false, description: "the LGSP's agency code (the client's member)" })
  @ApiQuery({ name: 'outcome', required: false, description: 'answered (the provider answered, any status), fault (a platform fault), or a fault code' })
  @ApiQuery({ name: 'from', required: false, description: 'ISO 8601 or epoch ms, inclusive' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO 8601 or epoch ms, exclusive' })
  list(@Req() req: Request, @Query() q: JournalQuery) {
    const { entries, filter } = this.read(req, q);
    return {
      items: entries.map((e) => this.shown(e)),
      count: entries.length,
      held: this.journal.journal.size,
      dropped: this.journal.journal.dropped,
      bodies: this.journal.bodies,
      bounds: { maxEntries: this.config.JOURNAL_MAX_ENTRIES, maxMb: this.config.JOURNAL_MAX_MB },
      ...(filter.limit ? { limit: filter.limit } : {}),
    };
  }

  @Get('journal.har')
  @ApiOperation({ summary: "The same entries, same filters and credentials, as a HAR 1.2 document (X-Road fields in each entry's _xRoad, drops in log._dropped)" })
  har(@Req() req: Request, @Res() res: Response, @Query() q: JournalQuery): void {
    const { entries } = this.read(req, q);
    const har = buildHar(entries, {
      version: EMULATOR_VERSION,
      dropped: this.journal.journal.dropped,
      bodies: this.journal.bodies,
      comment: `LGSP gateway ${this.config.INSTANCE_ID}: ${entries.length} entries`,
    });
    res.status(200).setHeader('content-type', 'application/json');
    res.setHeader('content-disposition', 'attachment; filename="journal.har"');
    res.end(JSON.stringify(har));
  }

  private read(req: Request, q: JournalQuery): { entries: JournalEntry[]; filter: JournalFilter } {
    const reader: LedgerReader | ApiErrorBody = ledgerReaderOf(req.headers, readerChecks(this.config, this.registry), 'the request journal needs a credential');
    if ('code' in reader) throw new HttpException(reader, reader.statusCode);
    const filter = journalFilterOf(q);
    if (isError(filter)) throw new HttpException(filter, filter.statusCode);
    if (reader.kind === 'client') filter.owner = reader.client;
    // An operator's own LGSP, and the one asked for: another LGSP's entries are none of its business.
    if (reader.kind === 'operator' && filter.lgsp !== undefined && filter.lgsp !== reader.lgsp) return { entries: [], filter };
    if (reader.kind === 'operator') filter.lgsp = reader.lgsp;
    const entries = this.journal.find(filter);
    // Only the admin sees personal data: an LGSP's operator reads its members' exchanges, not the people in them.
    const clearForOperator = reader.kind === 'operator' && this.journal.bodies === 'clear';
    return { entries: clearForOperator ? entries.map(maskedEntry) : entries, filter };
  }

  /** An entry in the JSON list: the journal's fields, and the HAR entry's timings and statusText for the same exchange. */
  private shown(e: JournalEntry) {
    const h = harEntry(e);
    return { ...e, startedDateTime: h.startedDateTime, statusText: h.response.statusText };
  }
}
