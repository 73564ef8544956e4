import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { operationMaxAge } from '../graphql/operation-max-age.ts';
import type { CacheMaxAges } from '../graphql/root-field-max-age.ts';
import type { GraphqlContext } from '../graphql/graphql-context.ts';

/** Request headers that name a client: its answer is for it alone, whatever the fields. */
const CREDENTIALS = ['authorization', 'cookie'] as const;

/**
 * The Cache-Control header of a GraphQL answer: `max-age=N, public` with N the shortest age
 * of the operation's root fields (operationMaxAge), and `no-store` for an answer with
 * errors, one with a root field of age 0 or unknown, introspection alone, an operation that
 * never ran, or a request carrying credentials. The same header for GET and POST; shared
 * caches keep GET answers only.
 *
 * The same headers as Apollo's cache-control plugin gave with these hints, without that
 * plugin: it hooks every field's resolver to gather per-field hints, and here the
 * hints are only by root field, which the operation names before it runs.
 */
export function cachePolicyPlugins(maxAges: CacheMaxAges): ApolloServerPlugin<GraphqlContext>[] {
  const rootFieldPolicy: ApolloServerPlugin<GraphqlContext> = {
    async requestDidStart({ request }) {
      const anonymous = CREDENTIALS.every((name) => request.http?.headers.get(name) === undefined);
      let maxAge = 0;
      return {
        async executionDidStart({ schema, document, operation }) {
          if (anonymous) maxAge = operationMaxAge(schema, document, operation, request.variables, maxAges);
        },
        async willSendResponse({ response }) {
          const cacheable = maxAge > 0 && response.body.kind === 'single' && !response.body.singleResult.errors;
          response.http.headers.set('cache-control', cacheable ? `max-age=${maxAge}, public` : 'no-store');
        },
      };
    },
  };
  // Apollo installs its own cache control (hooking every resolver) unless told not to.
  return [rootFieldPolicy, ApolloServerPluginCacheControlDisabled()];
}
