// Redocly's `recommended` ruleset on one OpenAPI document, through @redocly/openapi-core (the library the Redocly
// CLI runs; openapi-typescript depends on it too). Prints each problem as a JSON line {severity, ruleId, pointer,
// message}; the accepted ones below get "accepted": their reason. Run by tests/EmiPlatform.Api.Tests/OpenApiLintTests.cs:
//   node redocly-lint.mjs DOCUMENT
import { createConfig, lint } from "@redocly/openapi-core";

// Findings we keep on purpose, each with why (docs/api.md). Anything else fails the test.
const accepted = [
  { ruleId: "info-license", pointer: "#/info",
    reason: "the project has not chosen a licence; naming one is the owners' decision, not the document's" },
  { ruleId: "operation-2xx-response", pointer: "#/paths/~1v1~1recordings~1{id}~1content/get/responses",
    reason: "getRecordingContent answers only 302 to a storage SAS URL; getRecordingContentLink is its 200 twin" },
];

const [document] = process.argv.slice(2);
if (!document) {
  console.error("usage: node redocly-lint.mjs DOCUMENT");
  process.exit(2);
}
const config = await createConfig({ extends: ["recommended"] });
const problems = await lint({ ref: document, config });
for (const p of problems) {
  const pointer = p.location?.[0]?.pointer ?? "";
  const why = accepted.find((a) => a.ruleId === p.ruleId && a.pointer === pointer)?.reason;
  console.log(JSON.stringify({ severity: p.severity, ruleId: p.ruleId, pointer, message: p.message, ...(why ? { accepted: why } : {}) }));
}
