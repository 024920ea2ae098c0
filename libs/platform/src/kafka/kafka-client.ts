import { Kafka, logLevel, LogEntry } from 'kafkajs';
import { Logger } from '@nestjs/common';

/** kafkajs logs through Nest's logger so that every app's output has one format. */
function nestLogCreator(context: string) {
  const logger = new Logger(context);
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...rest } = log;
      const text = `${message} ${JSON.stringify(rest)}`;
      if (level === logLevel.ERROR) logger.error(text);
      else if (level === logLevel.WARN) logger.warn(text);
      else logger.debug?.(text);
    };
}

// We use the default (murmur2, Java-compatible) partitioner on purpose; the
// one-time notice about the v2 change is noise in every app's log.
process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

export function createKafka(clientId: string, brokers: string[], quiet = false): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: quiet ? logLevel.NOTHING : logLevel.WARN,
    logCreator: nestLogCreator(`kafka:${clientId}`),
    retry: { initialRetryTime: 200, retries: 8 },
  });
}
