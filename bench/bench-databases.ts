// Kept for bench/abuse.ts until it imports from bench/support/ (remove this file then).
export * from './support/bench-databases.ts';
