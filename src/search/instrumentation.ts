/** Timing hooks the service reports through; the server wires them to Prometheus. */
export interface Instrumentation {
  embedding<T>(work: () => Promise<T>): Promise<T>;
  database<T>(query: string, work: () => Promise<T>): Promise<T>;
}

export const noInstrumentation: Instrumentation = {
  embedding: (work) => work(),
  database: (_query, work) => work(),
};
