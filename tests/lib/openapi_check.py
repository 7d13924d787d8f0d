"""tests/lib/openapi_check.py SPEC METHOD PATH STATUS HEADERS BODY

Check one real answer against docs/openapi.yaml: the operation of METHOD
and PATH (a path template such as /sessions/{sessionId} matches one
segment) documents STATUS; the answer's Content-Type is the documented
media type; every header the response marks required is there and, when
its schema is a const or an enum, has that value; a JSON body validates
against the response's schema (JSON Schema 2020-12, the dialect of
OpenAPI 3.1).  HEADERS holds "Name: value" lines, BODY the body bytes.
Prints nothing and exits 0 when the answer agrees, else one line per
disagreement and exits 1.
"""
import json
import re
import sys
import warnings

import jsonschema
import yaml

warnings.simplefilter('ignore', DeprecationWarning)


def resolve(doc, node):
    """node with a top-level $ref followed (within doc)."""
    while isinstance(node, dict) and '$ref' in node:
        ref = node['$ref']
        assert ref.startswith('#/'), ref
        node = doc
        for part in ref[2:].split('/'):
            node = node[part]
    return node


def main():
    spec, method, path, status, hfile, bfile = sys.argv[1:7]
    doc = yaml.safe_load(open(spec, encoding='utf-8'))
    path = path.split('?')[0]
    op = None
    known = False
    for tmpl, item in doc['paths'].items():
        rx = '^' + re.sub(r'\\\{[^}]+\\\}', '[^/]+', re.escape(tmpl)) + '$'
        if re.match(rx, path):
            known = True
            if method.lower() in item:
                op = item[method.lower()]
                break
    # A method the path does not take is 405, a path that is none 404,
    # with the documented answers of those.
    if op is None and known and status == '405':
        op = {'responses': {'405': {'$ref': '#/components/responses/MethodNotAllowed'}}}
    elif op is None and not known and status == '404':
        op = {'responses': {'404': {'$ref': '#/components/responses/NotFound'}}}
    if op is None:
        print('no operation %s %s in %s' % (method, path, spec))
        return 1
    resp = op['responses'].get(status)
    if resp is None:
        print('%s %s: status %s is not documented' % (method, path, status))
        return 1
    resp = resolve(doc, resp)
    headers = {}
    for line in open(hfile, encoding='utf-8', errors='replace'):
        if ':' in line:
            k, v = line.split(':', 1)
            headers[k.strip().lower()] = v.strip()
    bad = []
    for name, h in (resp.get('headers') or {}).items():
        h = resolve(doc, h)
        v = headers.get(name.lower())
        if v is None:
            if h.get('required'):
                bad.append('header %s is missing' % name)
            continue
        sch = resolve(doc, h.get('schema', {}))
        if 'const' in sch and v != str(sch['const']):
            bad.append('header %s: %r, want %r' % (name, v, sch['const']))
        if 'enum' in sch and v not in [str(e) for e in sch['enum']]:
            bad.append('header %s: %r not one of %r' % (name, v, sch['enum']))
    body = open(bfile, 'rb').read()
    content = resp.get('content') or {}
    ctype = headers.get('content-type', '')
    if content:
        media = [m for m in content if ctype == m or
                 (m == 'application/json' and ctype.split(';')[0] == m)]
        if not media:
            bad.append('Content-Type %r, want one of %r' % (ctype, list(content)))
        elif media[0] == 'application/json':
            try:
                inst = json.loads(body.decode('utf-8'))
            except ValueError as e:
                bad.append('body is not JSON: %s' % e)
            else:
                schema = dict(content[media[0]]['schema'])
                schema['components'] = doc['components']
                v = jsonschema.Draft202012Validator(
                    schema, format_checker=jsonschema.FormatChecker())
                for err in sorted(v.iter_errors(inst), key=str):
                    loc = '/'.join(str(p) for p in err.absolute_path)
                    bad.append('body at /%s: %s' % (loc, err.message))
    elif body:
        bad.append('a body where none is documented')
    for b in bad:
        print('%s %s %s: %s' % (method, path, status, b))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
