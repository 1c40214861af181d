// Validates OpenAPI documents with @apidevtools/swagger-parser: each must parse, every $ref must
// resolve and the document must match the OpenAPI 3.0 JSON schema (which rejects unknown
// keywords, wrong types and missing required members).
//
//   node validate.mjs FILE...                 exit 0 when every FILE is valid
//   node validate.mjs --mutants FILE          exit 0 when broken copies of FILE are all rejected
//
// --mutants shows the check can fail: it breaks a valid document in ways a generator bug would
// (a $ref to no schema, a misspelt keyword, a wrong type name, an operation without responses)
// and expects the validator to reject each copy.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import SwaggerParser from "@apidevtools/swagger-parser";

const require = createRequire(import.meta.url);
const validator = `@apidevtools/swagger-parser ${require("@apidevtools/swagger-parser/package.json").version}`;

// Errors of one document, [] when it is valid.
async function problems(doc) {
  try {
    // validate() dereferences its argument in place: give it a copy.
    await SwaggerParser.validate(structuredClone(doc));
    return [];
  } catch (err) {
    return [err.message];
  }
}

function firstOperation(doc) {
  for (const item of Object.values(doc.paths)) {
    for (const op of Object.values(item)) return op;
  }
  throw new Error("the document has no operation");
}

function firstSchemaWithProperties(doc) {
  for (const schema of Object.values(doc.components.schemas)) {
    if (schema.properties) return schema;
  }
  throw new Error("the document has no schema with properties");
}

const mutations = {
  "dangling $ref": (doc) => {
    firstOperation(doc).requestBody = {
      content: { "application/json": { schema: { $ref: "#/components/schemas/NoSuchMessage" } } },
    };
  },
  "misspelt keyword": (doc) => {
    const props = firstSchemaWithProperties(doc).properties;
    props[Object.keys(props)[0]].additionalProperty = true;
  },
  "unknown type": (doc) => {
    const props = firstSchemaWithProperties(doc).properties;
    props[Object.keys(props)[0]] = { type: "int64" };
  },
  "operation without responses": (doc) => {
    delete firstOperation(doc).responses;
  },
};

const args = process.argv.slice(2);
console.log(`validator: ${validator}`);
let failed = false;
if (args[0] === "--mutants") {
  const doc = JSON.parse(readFileSync(args[1], "utf8"));
  for (const [name, mutate] of Object.entries(mutations)) {
    const copy = structuredClone(doc);
    mutate(copy);
    const found = await problems(copy);
    if (found.length === 0) {
      console.log(`FAIL ${name}: the broken document was accepted`);
      failed = true;
    } else {
      console.log(`ok ${name}: rejected (${found[0].split("\n")[0]})`);
    }
  }
} else {
  if (args.length === 0) {
    console.error("usage: node validate.mjs FILE... | --mutants FILE");
    process.exit(2);
  }
  for (const file of args) {
    const doc = JSON.parse(readFileSync(file, "utf8"));
    const found = await problems(doc);
    if (found.length > 0) {
      console.log(`FAIL ${file}:\n${found.join("\n")}`);
      failed = true;
    } else {
      const paths = Object.keys(doc.paths).length;
      const schemas = Object.keys(doc.components?.schemas ?? {}).length;
      console.log(`ok ${file}: valid OpenAPI ${doc.openapi}, ${paths} paths, ${schemas} schemas`);
    }
  }
}
process.exit(failed ? 1 : 0);
