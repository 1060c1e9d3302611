// node:http as Node's CommonJS module object, for the Lambda bundles: see COMMONJS_BUILTINS in
// ../bundled-node-function.ts. process.getBuiltinModule (Node >= 22.3) is not subject to the bundle's
// alias, so this module does not import itself. https://nodejs.org/api/process.html#processgetbuiltinmoduleid
module.exports = process.getBuiltinModule('node:http');
