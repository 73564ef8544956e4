import { Command } from 'commander';
import { registerEmbedCommand } from './commands/embed-command.ts';
import { registerEvalCommand } from './commands/eval-command.ts';
import { registerIngestCommand } from './commands/ingest-command.ts';
import { registerReindexCommand } from './commands/reindex-command.ts';
import { registerSearchCommand } from './commands/search-command.ts';
import { registerServeCommand } from './commands/serve-command.ts';
import { registerEmbedQueriesCommand } from './commands/embed-queries-command.ts';
import { registerGrantAnalystCommand } from './commands/grant-analyst-command.ts';
import { registerMigrateCommand } from './commands/migrate-command.ts';
import { registerStartCommand } from './commands/start-command.ts';

const program = new Command()
  .name('headlines')
  .description('Semantic search over news headlines (Universal Sentence Encoder + PostgreSQL/pgvector).')
  .showHelpAfterError();

registerMigrateCommand(program);
registerStartCommand(program);
registerEvalCommand(program);
registerEmbedCommand(program);
registerIngestCommand(program);
registerReindexCommand(program);
registerServeCommand(program);
registerSearchCommand(program);
registerEmbedQueriesCommand(program);
registerGrantAnalystCommand(program);

await program.parseAsync(process.argv);
