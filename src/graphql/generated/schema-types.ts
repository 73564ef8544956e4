// Generated from schema.graphql by scripts/codegen.ts: do not edit.
/* eslint-disable */
import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { HeadlineRow } from '../../shared/search-types.ts';
import type { GraphqlContext } from '../graphql-context.ts';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** Calendar date, ISO 8601 YYYY-MM-DD. */
  Date: { input: string; output: string; }
};

export type Query = {
  __typename?: 'Query';
  /**
   * Headlines matching `query`, best first. `mode` chooses the ranking (see SearchMode);
   * `query` may use web-search syntax in HYBRID and KEYWORD modes: "a phrase", -word, or.
   */
  search: SearchResults;
  /** Headlines closest in meaning to headline `id`, itself excluded. */
  similar: SearchResults;
  /**
   * How many of the query's `top` best matches (by meaning; at most 5000) fall in each period,
   * oldest first, empty periods included (count 0) from the first to the last day of the
   * corpus inside `filter`. Counts are over those matches, not over every headline on the topic.
   */
  timeline: Array<TimelineBucket>;
  /** The timeline of the headlines closest to headline `id` (itself excluded): this story over time. */
  similarTimeline: Array<TimelineBucket>;
  /** The headline with this id (Headline.id; the bare numeric ids of earlier versions work too); null when none is stored. */
  headline?: Maybe<Headline>;
  /**
   * The object with this global id (Relay's object identification: what a fragment with
   * @refetchable refetches by). Null when the id is malformed, of another type, or names
   * nothing stored: never an error.
   */
  node?: Maybe<Node>;
  /**
   * The objects with these global ids, in the order given, each null where `node` would be.
   * At most 100 ids, fetched together.
   */
  nodes: Array<Maybe<Node>>;
  /**
   * Completions of what has been typed, for a search box: the corpus's own words and
   * two-word names that start with the prefix's last word or last two words (words typed
   * before those are kept in front), most headlines first. Empty for an empty prefix.
   * `first` is from 1 to 100.
   */
  suggest: Array<Suggestion>;
  /** What is loaded and how it is searched. */
  stats: CorpusStats;
};


export type QuerySearchArgs = {
  query: Scalars['String']['input'];
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<HeadlineFilter>;
  mode?: InputMaybe<SearchMode>;
  collapse?: InputMaybe<Scalars['Boolean']['input']>;
};


export type QuerySimilarArgs = {
  id: Scalars['ID']['input'];
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<HeadlineFilter>;
};


export type QueryTimelineArgs = {
  query: Scalars['String']['input'];
  bucket?: InputMaybe<Bucket>;
  filter?: InputMaybe<HeadlineFilter>;
  top?: InputMaybe<Scalars['Int']['input']>;
};


export type QuerySimilarTimelineArgs = {
  id: Scalars['ID']['input'];
  bucket?: InputMaybe<Bucket>;
  filter?: InputMaybe<HeadlineFilter>;
  top?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryHeadlineArgs = {
  id: Scalars['ID']['input'];
};


export type QueryNodeArgs = {
  id: Scalars['ID']['input'];
};


export type QueryNodesArgs = {
  ids: Array<Scalars['ID']['input']>;
};


export type QuerySuggestArgs = {
  prefix: Scalars['String']['input'];
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** How `search` ranks headlines. */
export type SearchMode =
  /** Keyword and meaning rankings fused (reciprocal rank fusion): finds names and exact words as well as meanings. */
  | 'HYBRID'
  /** Closeness in meaning alone (cosine similarity of the embeddings). */
  | 'SEMANTIC'
  /** Headlines containing the query's words, best text match first; none if no headline has them. */
  | 'KEYWORD';

/** Width of a timeline period. */
export type Bucket =
  | 'YEAR'
  | 'MONTH'
  | 'DAY';

export type TimelineBucket = {
  __typename?: 'TimelineBucket';
  /** First day of the period. */
  period: Scalars['Date']['output'];
  /** Matches (of the `top` asked for) published in the period. */
  count: Scalars['Int']['output'];
  /** count divided by all headlines published in the period (inside the filter); 0 when there are none. Tells a rising topic from a rising corpus. */
  share: Scalars['Float']['output'];
  /** The period's best-ranked match; null when count is 0. */
  topHeadline?: Maybe<Headline>;
};

/** Inclusive date range; either end may be omitted. */
export type HeadlineFilter = {
  from?: InputMaybe<Scalars['Date']['input']>;
  to?: InputMaybe<Scalars['Date']['input']>;
};

/**
 * An object with a global id: opaque, unique across types, stable, and accepted by `node` and
 * `nodes` to fetch the object again.
 */
export type Node = {
  id: Scalars['ID']['output'];
};

export type Headline = Node & {
  __typename?: 'Headline';
  /** Global id (see Node); also what `headline`, `similar` and `similarTimeline` take. */
  id: Scalars['ID']['output'];
  text: Scalars['String']['output'];
  publishedOn: Scalars['Date']['output'];
};

export type SearchResults = {
  __typename?: 'SearchResults';
  edges: Array<SearchEdge>;
  pageInfo: PageInfo;
  /**
   * HYBRID only: the query with its misspelled words corrected, when a correction drove the
   * results (a word in almost no headline, replaced by the closest common corpus word):
   * what a front end shows as "showing results for …". Null otherwise: a word found in the
   * corpus is never corrected, and its exact matches rank ahead of any correction's.
   */
  correctedQuery?: Maybe<Scalars['String']['output']>;
};

/** A completion offered while typing. */
export type Suggestion = {
  __typename?: 'Suggestion';
  /** The completed word or name, after the words typed before it. */
  text: Scalars['String']['output'];
  /** How many headlines contain the completed word or name. */
  headlines: Scalars['Int']['output'];
};

export type SearchEdge = {
  __typename?: 'SearchEdge';
  cursor: Scalars['String']['output'];
  node: Headline;
  /** Cosine similarity of the full 512-d embeddings to the query, 1 = identical, in every mode. */
  similarity: Scalars['Float']['output'];
  /** What the mode ranks by, higher first: the similarity (SEMANTIC, similar), the fused reciprocal-rank score (HYBRID) or the text rank (KEYWORD). */
  score: Scalars['Float']['output'];
  /** The query's words that occur in the headline (stop words and -excluded words left out), for highlighting; in HYBRID, the corpus word a misspelled query word was corrected to; empty for similar. */
  matchedTerms: Array<Scalars['String']['output']>;
  /** With `collapse: true`: near-duplicates of this headline ranked below it and above the next edge, best first; empty otherwise. */
  duplicates: Array<Headline>;
};

/** Relay's connection PageInfo. Paging is forwards only (`first`/`after`); cursors are null on an empty page. */
export type PageInfo = {
  __typename?: 'PageInfo';
  hasNextPage: Scalars['Boolean']['output'];
  /** True when the page was asked for with `after` (earlier results exist), else false. */
  hasPreviousPage: Scalars['Boolean']['output'];
  startCursor?: Maybe<Scalars['String']['output']>;
  endCursor?: Maybe<Scalars['String']['output']>;
};

export type CorpusStats = {
  __typename?: 'CorpusStats';
  headlines: Scalars['Int']['output'];
  earliest?: Maybe<Scalars['Date']['output']>;
  latest?: Maybe<Scalars['Date']['output']>;
  model: Scalars['String']['output'];
  projection: Scalars['String']['output'];
  dimensions: Scalars['Int']['output'];
  /**
   * How far behind the primary database the read replicas serving this API are, at most, in
   * milliseconds (0: caught up). Rows ingested less than this long ago may not be found yet.
   * Null when reads are served by the primary itself.
   */
  replicaLagMs?: Maybe<Scalars['Int']['output']>;
};



export type ResolverTypeWrapper<T> = Promise<T> | T;


export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;




/** Mapping of interface types */
export type ResolversInterfaceTypes<_RefType extends Record<string, unknown>> = {
  Node: ( HeadlineRow );
};

/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  Date: ResolverTypeWrapper<Scalars['Date']['output']>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  SearchMode: SearchMode;
  Bucket: Bucket;
  TimelineBucket: ResolverTypeWrapper<Omit<TimelineBucket, 'topHeadline'> & { topHeadline?: Maybe<ResolversTypes['Headline']> }>;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  HeadlineFilter: HeadlineFilter;
  Node: ResolverTypeWrapper<ResolversInterfaceTypes<ResolversTypes>['Node']>;
  Headline: ResolverTypeWrapper<HeadlineRow>;
  SearchResults: ResolverTypeWrapper<Omit<SearchResults, 'edges'> & { edges: Array<ResolversTypes['SearchEdge']> }>;
  Suggestion: ResolverTypeWrapper<Suggestion>;
  SearchEdge: ResolverTypeWrapper<Omit<SearchEdge, 'node' | 'duplicates'> & { node: ResolversTypes['Headline'], duplicates: Array<ResolversTypes['Headline']> }>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  CorpusStats: ResolverTypeWrapper<CorpusStats>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  Date: Scalars['Date']['output'];
  Query: Record<PropertyKey, never>;
  String: Scalars['String']['output'];
  Int: Scalars['Int']['output'];
  Boolean: Scalars['Boolean']['output'];
  ID: Scalars['ID']['output'];
  TimelineBucket: Omit<TimelineBucket, 'topHeadline'> & { topHeadline?: Maybe<ResolversParentTypes['Headline']> };
  Float: Scalars['Float']['output'];
  HeadlineFilter: HeadlineFilter;
  Node: ResolversInterfaceTypes<ResolversParentTypes>['Node'];
  Headline: HeadlineRow;
  SearchResults: Omit<SearchResults, 'edges'> & { edges: Array<ResolversParentTypes['SearchEdge']> };
  Suggestion: Suggestion;
  SearchEdge: Omit<SearchEdge, 'node' | 'duplicates'> & { node: ResolversParentTypes['Headline'], duplicates: Array<ResolversParentTypes['Headline']> };
  PageInfo: PageInfo;
  CorpusStats: CorpusStats;
};

export interface DateScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['Date'], any> {
  name: 'Date';
}

export type QueryResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  search?: Resolver<ResolversTypes['SearchResults'], ParentType, ContextType, RequireFields<QuerySearchArgs, 'query' | 'first' | 'mode' | 'collapse'>>;
  similar?: Resolver<ResolversTypes['SearchResults'], ParentType, ContextType, RequireFields<QuerySimilarArgs, 'id' | 'first'>>;
  timeline?: Resolver<Array<ResolversTypes['TimelineBucket']>, ParentType, ContextType, RequireFields<QueryTimelineArgs, 'query' | 'bucket' | 'top'>>;
  similarTimeline?: Resolver<Array<ResolversTypes['TimelineBucket']>, ParentType, ContextType, RequireFields<QuerySimilarTimelineArgs, 'id' | 'bucket' | 'top'>>;
  headline?: Resolver<Maybe<ResolversTypes['Headline']>, ParentType, ContextType, RequireFields<QueryHeadlineArgs, 'id'>>;
  node?: Resolver<Maybe<ResolversTypes['Node']>, ParentType, ContextType, RequireFields<QueryNodeArgs, 'id'>>;
  nodes?: Resolver<Array<Maybe<ResolversTypes['Node']>>, ParentType, ContextType, RequireFields<QueryNodesArgs, 'ids'>>;
  suggest?: Resolver<Array<ResolversTypes['Suggestion']>, ParentType, ContextType, RequireFields<QuerySuggestArgs, 'prefix' | 'first'>>;
  stats?: Resolver<ResolversTypes['CorpusStats'], ParentType, ContextType>;
};

export type TimelineBucketResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['TimelineBucket'] = ResolversParentTypes['TimelineBucket']> = {
  period?: Resolver<ResolversTypes['Date'], ParentType, ContextType>;
  count?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  share?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  topHeadline?: Resolver<Maybe<ResolversTypes['Headline']>, ParentType, ContextType>;
};

export type NodeResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['Node'] = ResolversParentTypes['Node']> = {
  __resolveType: TypeResolveFn<'Headline', ParentType, ContextType>;
};

export type HeadlineResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['Headline'] = ResolversParentTypes['Headline']> = {
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  text?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  publishedOn?: Resolver<ResolversTypes['Date'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type SearchResultsResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['SearchResults'] = ResolversParentTypes['SearchResults']> = {
  edges?: Resolver<Array<ResolversTypes['SearchEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  correctedQuery?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type SuggestionResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['Suggestion'] = ResolversParentTypes['Suggestion']> = {
  text?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  headlines?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type SearchEdgeResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['SearchEdge'] = ResolversParentTypes['SearchEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Headline'], ParentType, ContextType>;
  similarity?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  score?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  matchedTerms?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  duplicates?: Resolver<Array<ResolversTypes['Headline']>, ParentType, ContextType>;
};

export type PageInfoResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  hasPreviousPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  startCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type CorpusStatsResolvers<ContextType = GraphqlContext, ParentType extends ResolversParentTypes['CorpusStats'] = ResolversParentTypes['CorpusStats']> = {
  headlines?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  earliest?: Resolver<Maybe<ResolversTypes['Date']>, ParentType, ContextType>;
  latest?: Resolver<Maybe<ResolversTypes['Date']>, ParentType, ContextType>;
  model?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  projection?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  dimensions?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  replicaLagMs?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
};

export type Resolvers<ContextType = GraphqlContext> = {
  Date?: GraphQLScalarType;
  Query?: QueryResolvers<ContextType>;
  TimelineBucket?: TimelineBucketResolvers<ContextType>;
  Node?: NodeResolvers<ContextType>;
  Headline?: HeadlineResolvers<ContextType>;
  SearchResults?: SearchResultsResolvers<ContextType>;
  Suggestion?: SuggestionResolvers<ContextType>;
  SearchEdge?: SearchEdgeResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  CorpusStats?: CorpusStatsResolvers<ContextType>;
};

