// One whole process of nginx-conf's bare parser (its `parse()` from dist/src/parser.js, not createFromSource) on
// a file, for `npm run bench`: read the file, parse it, exit. Plain JavaScript, so no loader runs before it.
//   node bench/nc-parse.cjs FILE
const { readFileSync } = require('node:fs');
const { parse } = require('nginx-conf/dist/src/parser.js');

const file = process.argv[2];
if (!file) throw new Error('usage: node bench/nc-parse.cjs FILE');
const text = readFileSync(file, 'utf8');
parse(text, (err, tree) => {
  if (err) throw err;
  if (!tree) throw new Error('nginx-conf returned no tree');
});
