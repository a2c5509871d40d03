// electronegativity 1.10 writes its CSV report with two racing fs.writeFile calls: the header with flag
// 'w' (truncate) and the rows with flag 'a'. When the header lands second it cuts the start of the rows
// and the report is garbled. This process runs only the tool, so its asynchronous writeFile is made to
// write at once, in call order, and report through the callback as before.
const fs = require('node:fs');

fs.writeFile = function orderedWriteFile(file, data, options, callback) {
  const done = typeof options === 'function' ? options : callback;
  const opts = typeof options === 'function' ? undefined : options;
  let error = null;
  try {
    fs.writeFileSync(file, data, opts);
  } catch (e) {
    error = e;
  }
  if (done) process.nextTick(done, error);
};
