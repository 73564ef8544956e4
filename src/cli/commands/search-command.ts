import { Option, type Command } from 'commander';
import { DEFAULT_SEARCH_MODE, SEARCH_MODES, type SearchMode } from '../../shared/search-mode.ts';
import type { RunCommandBody } from '../run-command.ts';
import { positiveInt } from './option-parsers.ts';

interface SearchFlags {
  mode: string;
  first?: number;
  from?: string;
  to?: string;
  after?: string;
  json?: boolean;
}

export function registerSearchCommand(program: Command, runBody: RunCommandBody): void {
  program
    .command('search <text>')
    .description('search from the command line (the same service as the GraphQL API)')
    .addOption(new Option('--mode <mode>', 'ranking: hybrid (keywords and meaning), semantic or keyword').choices(SEARCH_MODES.map((m) => m.toLowerCase())).default(DEFAULT_SEARCH_MODE.toLowerCase()))
    .option('--first <n>', 'results per page (1-100, default 10)', positiveInt)
    .option('--from <date>', 'earliest publication date, YYYY-MM-DD')
    .option('--to <date>', 'latest publication date, YYYY-MM-DD')
    .option('--after <cursor>', 'continue after this cursor (printed as endCursor)')
    .option('--json', 'print the page as JSON')
    .action((text: string, flags: SearchFlags) =>
      runBody(async ({ config, logger, out }) => {
        const mode = flags.mode.toUpperCase() as SearchMode;
        const { searchOnce } = await import('../../app/search-once.ts');
        const page = await searchOnce(config, logger, text, { mode, first: flags.first, after: flags.after, filter: { from: flags.from, to: flags.to } });
        if (flags.json) {
          out(JSON.stringify(page, null, 2));
          return;
        }
        for (const edge of page.edges) {
          const matched = edge.matchedTerms.length > 0 ? `  [${edge.matchedTerms.join(', ')}]` : '';
          out(`${edge.similarity.toFixed(4)}  ${edge.node.publishedOn}  ${edge.node.text}  (id ${edge.node.id})${matched}`);
        }
        if (page.pageInfo.hasNextPage) out(`more: --after ${page.pageInfo.endCursor}`);
      }),
    );
}
