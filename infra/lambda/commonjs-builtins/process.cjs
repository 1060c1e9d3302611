// node:process as Node's CommonJS module object (the `process` global), for the Lambda bundles: see
// COMMONJS_BUILTINS in ../bundled-node-function.ts.
module.exports = process;
