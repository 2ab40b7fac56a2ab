'use strict';
// Tests skipped because they need a feature whose issue is still open. Each entry names the
// issue; remove entries as issues land. (Tests ruled out by runOnRequirements are skipped by the
// runner itself and are not listed here.)
//
// file: path under mongodb-spec/ (exact) or a RegExp; test: description (exact), RegExp, or
// omitted for the whole file.

const SKIPS = [
];

function matches(pattern, value) {
  if (pattern === undefined) return true;
  if (pattern instanceof RegExp) return pattern.test(value);
  return pattern === value;
}

function skipReason(file, description) {
  for (const s of SKIPS) {
    if (!matches(s.file, file)) continue;
    if (!matches(s.test, description)) continue;
    if (s.onlyIf && !s.onlyIf(description)) continue;
    return s.reason;
  }
  return null;
}

module.exports = { skipReason, SKIPS };
