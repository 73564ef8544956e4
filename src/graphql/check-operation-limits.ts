import { parse, type DocumentNode } from 'graphql';
import { AppError, ErrorCode } from '../errors/app-error.ts';
import { countTokens } from './count-tokens.ts';
import { measureOperation, type OperationMeasures } from './measure-operation.ts';
import { COST } from './operation-cost.ts';

/** Checked on every GraphQL request before Apollo parses it (config/parse-config.ts parses them). */
export interface OperationLimits {
  readonly maxTokens: number;
  readonly maxFields: number;
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxCost: number;
}

export interface GraphqlRequestText {
  readonly query: string;
  readonly operationName?: string | null;
  readonly variables?: Readonly<Record<string, unknown>> | null;
}

/** A document as lexed and parsed for the limits: null when it does not lex. */
export type ReadDocument = (query: string, maxTokens: number) => { readonly tooLong: boolean; readonly document: DocumentNode | null } | null;

/** Lexes up to the token limit, then parses (document null when it does not parse). */
export const readDocument: ReadDocument = (query, maxTokens) => {
  let tooLong: boolean;
  try {
    tooLong = countTokens(query, maxTokens) > maxTokens;
  } catch {
    return null;
  }
  try {
    return { tooLong, document: parse(query, { noLocation: true }) };
  } catch {
    return { tooLong, document: null };
  }
};

const COST_RULE =
  `search and similar: ${COST.ranking} + \`first\` + the rank \`after\` continues from / ${COST.skippedRowsPerUnit} (collapse: ${COST.ranking} + \`first\` + ${COST.collapse}); ` +
  `timeline and similarTimeline: ${COST.ranking} + \`top\`² / ${COST.timelineTopSquaredPerUnit.toLocaleString('en-US')} (+ ${COST.dayBuckets} for DAY); stats: ${COST.stats}; headline and node: ${COST.headline}; nodes: ${COST.headline} per id; suggest: ${COST.suggest} (docs/api-limits.md)`;
const format = (n: number) => (Number.isFinite(n) ? n.toLocaleString('en-US') : 'unbounded');

/**
 * Measures an operation before Apollo parses and validates it and throws
 * OPERATION_TOO_EXPENSIVE naming every limit it exceeds, so an abusive document costs a
 * lexer pass up to the token limit and one parse (to report its cost), and never reaches
 * validation, the embedder or the database. Returns the measures (null when the document
 * does not lex or parse: Apollo then reports the syntax error as usual). `read` may be a
 * cache of readDocument, as the measures depend on the variables but lexing and parsing do not.
 */
export function checkOperationLimits(request: GraphqlRequestText, limits: OperationLimits, read: ReadDocument = readDocument): OperationMeasures | null {
  const text = read(request.query, limits.maxTokens);
  if (!text) return null;
  const { tooLong, document } = text;
  let measures: OperationMeasures | null = null;
  try {
    if (!document) throw new Error('does not parse');
    measures = measureOperation(document, request.operationName, request.variables);
  } catch {
    // A document too long to parse or measure (e.g. nested past the stack) is reported by its length alone.
    if (!tooLong) return null;
  }
  const exceeded: string[] = [];
  if (measures && measures.cost > limits.maxCost) exceeded.push(`cost ${format(measures.cost)} (limit ${format(limits.maxCost)})`);
  if (measures && measures.aliases > limits.maxAliases) exceeded.push(`${format(measures.aliases)} aliases (limit ${format(limits.maxAliases)})`);
  if (measures && measures.depth > limits.maxDepth) exceeded.push(`depth ${format(measures.depth)} (limit ${format(limits.maxDepth)})`);
  if (measures && measures.fields > limits.maxFields) exceeded.push(`${format(measures.fields)} fields (limit ${format(limits.maxFields)})`);
  if (tooLong) exceeded.push(`more than ${format(limits.maxTokens)} tokens (the limit)`);
  if (exceeded.length > 0) {
    throw new AppError(ErrorCode.OPERATION_TOO_EXPENSIVE, `Operation rejected, nothing was run: ${exceeded.join(', ')}. Costs: ${COST_RULE}.`);
  }
  return measures;
}
