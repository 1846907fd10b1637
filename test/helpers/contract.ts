// Checks real exchanges with the Worker against the OpenAPI document it serves. Schemas are validated
// by Ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1) with ajv-formats; this file only finds the
// operation, response, media type and headers in the document that an exchange must match.
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { api, type ApiResponse } from './api';

type Doc = { paths: Record<string, Record<string, any>>; components: Record<string, any> };
export type Exchange = {
  method: string;
  path: string;
  token?: string | null;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
};
export type Expect = {
  status: number;
  code?: string;
  /** The request breaks the documented schemas (a body, parameter or header the API rejects). */
  invalid?: boolean;
  /** The API rejects it for a rule no schema can state (a check digit, a calendar date): why. */
  beyondSchema?: string;
};

// Headers any HTTP answer may carry that are not the API's own.
const TRANSPORT = new Set(['content-type', 'content-length', 'date', 'connection', 'transfer-encoding', 'keep-alive', 'server', 'vary']);
const SCHEMA_CODES = new Set(['validation_failed', 'malformed_json', 'invalid_stream_id', 'invalid_entity_id', 'invalid_header']);

const pointer = (...parts: string[]) => `openapi.json#/${parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;

export class Contract {
  private bodies: Ajv2020;
  private strings: Ajv2020;
  private templates: { path: string; re: RegExp; names: string[] }[];
  /** operationId -> statuses seen */
  readonly seen = new Map<string, Set<number>>();

  constructor(readonly doc: Doc) {
    const make = (coerceTypes: boolean) => {
      const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, coerceTypes });
      addFormats(ajv);
      ajv.addSchema(doc as object, 'openapi.json');
      return ajv;
    };
    this.bodies = make(false);
    this.strings = make(true); // parameters and headers are text on the wire
    this.templates = Object.keys(doc.paths)
      .map((path) => {
        const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
        const re = new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '([^/]+)')}$`);
        return { path, re, names };
      })
      .sort((a, b) => a.names.length - b.names.length);
  }

  private deref(x: any): any {
    if (x && typeof x === 'object' && typeof x.$ref === 'string') {
      const parts = x.$ref.replace(/^#\//, '').split('/').map((p: string) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
      return this.deref(parts.reduce((o: any, k: string) => o?.[k], this.doc));
    }
    return x;
  }

  private wrapped = new Map<string, ReturnType<Ajv2020['compile']>>();

  private check(ajv: Ajv2020, ref: string, value: unknown): string[] {
    let validate = ajv === this.strings ? this.wrapped.get(ref) : ajv.getSchema(ref);
    if (!validate && ajv === this.strings) {
      // a parameter or header is text: wrapped in an object, so that coercion of the scalar works
      validate = ajv.compile({ type: 'object', properties: { value: { $ref: ref } } });
      this.wrapped.set(ref, validate);
    }
    if (!validate) throw new Error(`no schema at ${ref}`);
    const ok = validate(ajv === this.strings ? { value } : value);
    return ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message} ${JSON.stringify(e.params)}`);
  }

  /** The document's operation for a method and path (or the path item alone, for a 405). */
  find(method: string, pathname: string) {
    const t = this.templates.find((x) => x.re.test(pathname));
    if (!t) return null;
    const m = t.re.exec(pathname)!;
    const params = Object.fromEntries(t.names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
    const item = this.doc.paths[t.path]!;
    return { template: t.path, params, item, method: method.toLowerCase(), op: item[method.toLowerCase()] as any };
  }

  /** Problems of the request against its operation: parameters, headers and body. */
  requestProblems(x: Exchange, found: NonNullable<ReturnType<Contract['find']>>): string[] {
    const { op, template, method } = found;
    const problems: string[] = [];
    const url = new URL(`http://api.test${x.path}`);
    const params: any[] = (op.parameters ?? []).map((p: any) => this.deref(p));
    const ptr = (i: number) => {
      const raw = op.parameters[i];
      return raw.$ref ? `openapi.json${raw.$ref}/schema` : pointer('paths', template, method, 'parameters', String(i), 'schema');
    };
    const headers = Object.fromEntries(Object.entries(x.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    params.forEach((p, i) => {
      const value = p.in === 'path' ? found.params[p.name] : p.in === 'query' ? url.searchParams.get(p.name) ?? undefined : headers[p.name.toLowerCase()];
      if (value === undefined) {
        if (p.required) problems.push(`${p.in} ${p.name} is required`);
        return;
      }
      for (const e of this.check(this.strings, ptr(i), value)) problems.push(`${p.in} ${p.name}: ${e}`);
    });
    for (const name of url.searchParams.keys()) {
      if (!params.some((p) => p.in === 'query' && p.name === name)) problems.push(`query ${name} is not documented`);
    }
    if (op.requestBody) {
      const type = (headers['content-type'] ?? (x.body !== undefined ? 'application/json' : '')).split(';')[0]!.trim();
      const media = op.requestBody.content[type];
      if (!media) problems.push(`body media type ${type || '(none)'} is not documented`);
      else {
        let body: unknown;
        try {
          body = x.raw !== undefined ? JSON.parse(x.raw) : x.body;
        } catch {
          problems.push('body is not JSON');
          return problems;
        }
        const ref = media.schema.$ref ? `openapi.json${media.schema.$ref}` : pointer('paths', template, method, 'requestBody', 'content', type, 'schema');
        for (const e of this.check(this.bodies, ref, body)) problems.push(`body ${e}`);
      }
    }
    return problems;
  }

  /** Problems of the response against the document: status, media type, body and every header. */
  responseProblems(res: ApiResponse, found: NonNullable<ReturnType<Contract['find']>>): string[] {
    const problems: string[] = [];
    let op = found.op;
    let method = found.method;
    if (!op) {
      // another method on a documented path: a 405, as every operation of the path documents
      method = Object.keys(found.item)[0]!;
      op = found.item[method];
      if (res.status !== 405) problems.push(`${found.method.toUpperCase()} ${found.template} is not documented, yet answered ${res.status}`);
    }
    const response = this.deref(op.responses[String(res.status)]);
    if (!response) return [...problems, `status ${res.status} is not documented for ${op.operationId}`];
    const raw = op.responses[String(res.status)];
    const base = raw.$ref ? `openapi.json${raw.$ref}` : pointer('paths', found.template, method, 'responses', String(res.status));
    const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    if (!response.content) {
      if (res.text) problems.push(`a body came with ${res.status}, none is documented`);
    } else if (!response.content[type]) {
      problems.push(`media type ${type} is not documented for ${res.status} (documented: ${Object.keys(response.content).join(', ')})`);
    } else if (type.endsWith('json')) {
      const schema = response.content[type].schema;
      const ref = schema.$ref ? `openapi.json${schema.$ref}` : `${base}/content/${type.replaceAll('/', '~1')}/schema`;
      for (const e of this.check(this.bodies, ref, res.body)) problems.push(`body ${e}`);
    }
    const documented = Object.fromEntries(Object.entries(response.headers ?? {}).map(([n, h]) => [n.toLowerCase(), { name: n, h: this.deref(h), raw: h as any }]));
    for (const [name, { h, raw }] of Object.entries(documented)) {
      const value = res.headers.get(name);
      if (value === null) {
        if (h.required) problems.push(`header ${name} is required`);
        continue;
      }
      const ref = raw.$ref ? `openapi.json${raw.$ref}/schema` : `${base}/headers/${documented[name]!.name}/schema`;
      for (const e of this.check(this.strings, ref, value)) problems.push(`header ${name}: ${e}`);
    }
    res.headers.forEach((_, name) => {
      if (!TRANSPORT.has(name) && !documented[name]) problems.push(`header ${name} is not documented for ${op.operationId} ${res.status}`);
    });
    if (op.operationId) {
      const s = this.seen.get(op.operationId) ?? new Set<number>();
      s.add(res.status);
      this.seen.set(op.operationId, s);
    }
    return problems;
  }

  /**
   * Sends the exchange to the Worker and checks it: the answer matches the document; a request the API
   * took (2xx, 304) matches it too; a request the API refused as malformed does not, unless the rule it
   * broke is beyond what a schema can say (`beyondSchema`).
   */
  async send(x: Exchange, want: Expect): Promise<ApiResponse> {
    const res = await api(x.method, x.path, { token: x.token, body: x.body, raw: x.raw, headers: x.headers });
    const label = `${x.method} ${x.path} -> ${res.status} ${res.text.slice(0, 300)}`;
    if (res.status !== want.status || (want.code && res.body?.code !== want.code)) {
      throw new Error(`expected ${want.status}${want.code ? ` ${want.code}` : ''}: ${label}`);
    }
    const found = this.find(x.method, new URL(`http://api.test${x.path}`).pathname);
    if (!found) throw new Error(`no documented path matches ${label}`);
    const problems = this.responseProblems(res, found);
    if (found.op) {
      const req = this.requestProblems(x, found);
      const refused = res.status === 400 && SCHEMA_CODES.has(res.body?.code);
      if (res.status < 400 && req.length) problems.push(`the API took a request the document rejects: ${req.join('; ')}`);
      if (want.invalid && !req.length) problems.push('the document accepts a request the API rejects as malformed');
      if (refused && !want.invalid && !want.beyondSchema) problems.push(`refused as ${res.body.code}; mark the case invalid or beyondSchema (document says: ${req.join('; ') || 'valid'})`);
      if (want.beyondSchema && req.length) problems.push(`marked beyondSchema, yet the document rejects it: ${req.join('; ')}`);
    }
    if (problems.length) throw new Error(`${label}\n  ${problems.join('\n  ')}`);
    return res;
  }
}
