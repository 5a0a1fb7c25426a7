// The API's namespaces (eg.nn, eg.optim, …): each one a module of its own (src/<name>/index.ts),
// which the build scripts give a subpath of the slim entry and a lazily loaded file under Node.
export const namespaces = ["nn", "optim", "data", "metrics", "compress", "io", "select", "fft", "distributions", "autograd"];
