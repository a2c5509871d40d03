// electronegativity 1.10 uses `commander` without declaring it, written against commander 5's default
// export; the project's own commander 14 (hoisted) has another API. Point its lookups at commander 5,
// which @electron/asar installs next to it.
const Module = require('node:module');
const path = require('node:path');
const pkgRoot = path.dirname(require.resolve('@doyensec/electronegativity/package.json'));
const commander5 = require.resolve('commander', {
  paths: [path.dirname(require.resolve('@electron/asar/package.json'))],
});
const original = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (request === 'commander' && parent && parent.filename && parent.filename.startsWith(pkgRoot + path.sep))
    return commander5;
  return original.call(this, request, parent, ...rest);
};
