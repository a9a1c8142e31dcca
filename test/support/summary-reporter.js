// Mocha's spec reporter plus one closing line in the plain "N passed, N failed" form that CI reads.
"use strict";
const Mocha = require("mocha");

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    runner.on("pass", () => passed++);
    runner.on("fail", () => failed++);
    runner.on("pending", () => skipped++);
    runner.once("end", () => {
      process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
    });
  }
}

module.exports = SummaryReporter;
