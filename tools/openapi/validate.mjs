// tools/openapi/validate.mjs - check recorded HTTP answers against
// docs/openapi.yaml.
//
//   node validate.mjs OPENAPI.yaml RECORD.json...
//
// A record is one real answer of the service, as tests/e2e/openapi_answers.sh
// writes it: {"method", "path", "status", "headers": {lowercase name:
// value}, "body": the body as text}.  For each record the operation is
// found by path template and method, the response by status (a request
// outside the document, an unknown path or a method the endpoint does not
// take, names in "component" the component response the document gives
// it, e.g. NotFound, MethodNotAllowed); then every
// header the response declares required must be there, every declared
// header that is there must match its schema, and a body must have a
// declared media type and (for JSON) match its schema (JSON Schema 2020-12,
// Ajv).  One line a record: "ok NAME" or "not ok NAME: reasons"; the exit
// status is 1 when any record fails, 2 on a usage or file error.
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import YAML from 'yaml';

const [docPath, ...recordPaths] = process.argv.slice(2);
if (!docPath || recordPaths.length === 0) {
  console.error('usage: node validate.mjs OPENAPI.yaml RECORD.json...');
  process.exit(2);
}

let doc;
try {
  doc = YAML.parse(readFileSync(docPath, 'utf8'));
} catch (e) {
  console.error(`${docPath}: ${e.message}`);
  process.exit(2);
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(doc, 'openapi');

// JSON pointer helpers over the document.
const esc = (s) => s.replace(/~/g, '~0').replace(/\//g, '~1');
function at(pointer) {
  let o = doc;
  for (const raw of pointer.replace(/^#\//, '').split('/')) {
    const k = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (o === undefined || o === null) return undefined;
    o = o[k];
  }
  return o;
}
// Follow $ref (local only) from the object at pointer; returns [object,
// its pointer].
function deref(obj, pointer) {
  let seen = 0;
  while (obj && typeof obj.$ref === 'string') {
    if (!obj.$ref.startsWith('#/') || ++seen > 20) return [undefined, obj.$ref];
    pointer = obj.$ref;
    obj = at(pointer);
  }
  return [obj, pointer];
}

const compiled = new Map();
function validator(pointer) {
  if (!compiled.has(pointer)) compiled.set(pointer, ajv.compile({ $ref: 'openapi' + pointer }));
  return compiled.get(pointer);
}
const errText = (errs) =>
  (errs || []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');

function findOperation(method, path) {
  const bare = path.split('?')[0];
  for (const tmpl of Object.keys(doc.paths || {})) {
    const re = new RegExp('^' + tmpl.split('/').map((seg) => /^\{[^}]+\}$/.test(seg)
      ? '[^/]+' : seg.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&')).join('/') + '$');
    if (re.test(bare)) {
      const op = doc.paths[tmpl][method.toLowerCase()];
      return op ? { op, pointer: `#/paths/${esc(tmpl)}/${method.toLowerCase()}` } : { tmpl };
    }
  }
  return {};
}

function check(rec) {
  const why = [];
  const found = findOperation(rec.method, rec.path);
  const status = String(rec.status);
  let resp, respPtr;
  if (!found.op) {
    // An unknown path or a method an endpoint does not take: the record
    // names the component response the document gives such requests.
    if (!rec.component) {
      why.push(found.tmpl ? `${rec.method} is not an operation of ${found.tmpl}`
        : `no path of the document matches ${rec.path}`);
      return why;
    }
    respPtr = `#/components/responses/${esc(rec.component)}`;
    resp = at(respPtr);
    if (!resp) return [`no component response ${rec.component}`];
  } else {
    if (rec.component) return [`${rec.method} ${rec.path} is an operation; component ${rec.component} is for requests outside the document`];
    respPtr = `${found.pointer}/responses/${status}`;
    resp = found.op.responses?.[status];
    if (!resp) {
      resp = found.op.responses?.default;
      respPtr = `${found.pointer}/responses/default`;
    }
    if (!resp) {
      why.push(`status ${status} is not documented for ${rec.method} ${rec.path}`);
      return why;
    }
  }
  [resp, respPtr] = deref(resp, respPtr);
  if (!resp) return [`unresolvable reference ${respPtr}`];

  const headers = rec.headers || {};
  for (const [name, h0] of Object.entries(resp.headers || {})) {
    const [h, hPtr] = deref(h0, `${respPtr}/headers/${esc(name)}`);
    if (!h) { why.push(`unresolvable header ${name}`); continue; }
    const v = headers[name.toLowerCase()];
    if (v === undefined) {
      if (h.required) why.push(`required header ${name} is missing`);
      continue;
    }
    if (h.schema) {
      const validate = validator(`${hPtr}/schema`);
      if (!validate(v)) why.push(`header ${name}: ${JSON.stringify(v)}: ${errText(validate.errors)}`);
    }
  }

  const body = rec.body ?? '';
  const content = resp.content || {};
  if (Object.keys(content).length === 0) {
    if (body.length > 0) why.push(`a body where the document declares none (${body.length} bytes)`);
    return why;
  }
  const ctype = (headers['content-type'] || '').trim();
  const base = ctype.split(';')[0].trim().toLowerCase();
  let media = Object.keys(content).find((k) => k.toLowerCase() === ctype.toLowerCase())
    ?? Object.keys(content).find((k) => k.split(';')[0].trim().toLowerCase() === base);
  if (!media) {
    why.push(`Content-Type ${JSON.stringify(ctype)} is not one of ${Object.keys(content).join(', ')}`);
    return why;
  }
  const mt = content[media];
  if (!mt.schema) return why;
  let value = body;
  if (base === 'application/json') {
    try { value = JSON.parse(body); } catch (e) { why.push(`body is not JSON: ${e.message}`); return why; }
  }
  const validate = validator(`${respPtr}/content/${esc(media)}/schema`);
  if (!validate(value)) why.push(`body: ${errText(validate.errors)}`);
  return why;
}

let failed = 0;
for (const p of recordPaths) {
  let rec;
  try {
    rec = JSON.parse(readFileSync(p, 'utf8'));
  } catch (e) {
    console.error(`${p}: ${e.message}`);
    process.exit(2);
  }
  const name = rec.name || `${rec.method} ${rec.path} ${rec.status}`;
  let why;
  try {
    why = check(rec);
  } catch (e) {
    why = [`validator error: ${e.message}`];
  }
  if (why.length === 0) {
    console.log(`ok ${name}`);
  } else {
    failed++;
    console.log(`not ok ${name}: ${why.join(' | ')}`);
  }
}
process.exit(failed > 0 ? 1 : 0);
