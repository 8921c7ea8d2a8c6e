// A module resolution hook for running Eddy from its TypeScript sources (a repository checkout):
// it adds the `eddy-source` export condition, under which package.json maps `eddy`,
// `eddy/testing` and `eddy/kafka` to src/*.ts instead of the built dist/*.js. Job files that
// import 'eddy' then share the CLI's modules. bin/eddy.js registers it, and so do slot worker
// threads (Node 20 gives workers no hooks of the main thread). Tests pass --conditions=eddy-source.

/** Resolves with the `eddy-source` condition added. */
export async function resolve(specifier, context, nextResolve) {
  return nextResolve(specifier, {
    ...context,
    conditions: [...context.conditions, 'eddy-source'],
  });
}
