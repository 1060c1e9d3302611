// node:http for the Lambda bundles, read as Node's CommonJS module object instead of through an ES
// module import: see NODE_HTTP_THROUGH_COMMONJS in bundled-node-function.ts for why.
// process.getBuiltinModule (Node >= 22.3) is not subject to the bundle's alias, so 'http' and
// 'node:http' can both point here without this module importing itself.
// https://nodejs.org/api/process.html#processgetbuiltinmoduleid
module.exports = process.getBuiltinModule('node:http');
