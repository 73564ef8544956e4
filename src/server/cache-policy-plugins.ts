import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { rootFieldMaxAge, type CacheMaxAges } from '../graphql/root-field-max-age.ts';
import type { GraphqlContext } from '../graphql/graphql-context.ts';

/** Request headers that name a client: its answer is for it alone, whatever the fields. */
const CREDENTIALS = ['authorization', 'cookie'] as const;

/**
 * Apollo's cache control, with its hints set here by root field name rather than by
 * @cacheControl directives in schema.graphql. Apollo sends `Cache-Control: max-age=N, public`
 * with N the shortest age of the operation's root fields, and `no-store` for an answer with
 * errors, one with a root field of age 0 or unknown (rootFieldMaxAge), introspection alone,
 * or a request carrying credentials. Apollo computes the same header for GET and POST;
 * shared caches keep GET answers only.
 */
export function cachePolicyPlugins(maxAges: CacheMaxAges): ApolloServerPlugin<GraphqlContext>[] {
  const longest = Math.max(0, ...Object.values(maxAges));
  const rootFieldHints: ApolloServerPlugin<GraphqlContext> = {
    async requestDidStart({ request, overallCachePolicy }) {
      if (CREDENTIALS.some((name) => request.http?.headers.get(name) !== undefined)) overallCachePolicy.restrict({ maxAge: 0 });
      return {
        async executionDidStart() {
          return {
            // Restricting the overall policy, not the field's own hint, needs no other plugin to have run first.
            willResolveField({ info }) {
              if (info.path.prev === undefined) overallCachePolicy.restrict({ maxAge: rootFieldMaxAge(info.fieldName, maxAges) });
            },
          };
        },
      };
    },
  };
  return [
    // Fields below the root get the longest age, so the root fields alone decide (the shortest of theirs wins).
    ApolloServerPluginCacheControl({ defaultMaxAge: longest, calculateHttpHeaders: true }),
    rootFieldHints,
  ];
}
