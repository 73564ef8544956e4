// Preloaded into the server by bench:abuse (with --expose-gc): SIGUSR2 runs a full garbage
// collection, so that memory is compared with garbage gone rather than at V8's whim.
process.on('SIGUSR2', () => globalThis.gc?.());
