/** `.nginx-ws.json`'s `indent` (the formatter's indentation, for the editor and `nginx-ws fmt`): validated like every key. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIndent, parseSettingsFile } from '../../server/src/node/settings-file';

test('indent: 1 to 16 spaces (a number or its digits) or "tab"; anything else is reported and ignored', () => {
  assert.equal(parseSettingsFile('/r/.nginx-ws.json', '{"indent": 2}').settings.indent, '  ');
  assert.equal(parseSettingsFile('/r/.nginx-ws.json', '{"indent": "tab"}').settings.indent, '\t');
  for (const bad of ['0', '17', '"two"', '2.5', 'true', '[2]']) {
    const f = parseSettingsFile('/r/.nginx-ws.json', `{"indent": ${bad}}`);
    assert.equal(f.settings.indent, undefined, bad);
    assert.match(f.problems[0]!, /indent: expected a number of spaces from 1 to 16, or "tab"/, bad);
  }
  assert.equal(parseIndent('4'), '    ');
  assert.equal(parseIndent('-1'), null);
});
