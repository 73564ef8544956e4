/** The API's error, as readable as the server wrote it. */
export class ApiError extends Error {}

/**
 * POSTs one operation to the same server's /graphql. A newer call aborts the one it
 * replaces (pass the same key), so a slow answer never overwrites a newer one.
 */
export function createGraphqlClient(url = '/graphql') {
  const inFlight = new Map<string, AbortController>();
  return async function request<T>(key: string, query: string, variables: Record<string, unknown>): Promise<T | null> {
    inFlight.get(key)?.abort();
    const controller = new AbortController();
    inFlight.set(key, controller);
    let response: Response;
    try {
      response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }), signal: controller.signal });
    } catch (error) {
      if (controller.signal.aborted) return null;
      throw new ApiError(`The server could not be reached (${(error as Error).message}).`);
    } finally {
      if (inFlight.get(key) === controller) inFlight.delete(key);
    }
    let body: { data?: T; errors?: Array<{ message: string }> };
    try {
      body = await response.json();
    } catch {
      throw new ApiError(`The server answered ${response.status} ${response.statusText} without a GraphQL response.`);
    }
    if (controller.signal.aborted) return null;
    if (body.errors?.length) throw new ApiError(body.errors.map((e) => e.message).join(' '));
    if (!body.data) throw new ApiError(`The server answered ${response.status} with no data.`);
    return body.data;
  };
}
