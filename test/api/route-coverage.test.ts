// A route cannot forget its tests or its security: every route file src/http/routes/<resource>/<verb>.ts has one test
// file test/api/routes/<resource>/<verb>.test.ts, and every operation of the OpenAPI document that takes an API key
// has shared security tests (test/harness/security.ts) in its route's test file and a rule in the tenancy matrix,
// and the two agree.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../harness/test-server.ts';
import { operationsOf, type OpenApiDocument } from '../harness/response-schema.ts';
import { RULES } from '../reliability/harness/tenancy-matrix.ts';
import { ROOT_DIR } from '../fixtures.ts';

interface SecurityTestsCall {
  file: string;
  method: string;
  /** The path with each `${...}` as `X`. */
  path: string;
  scope: string | null;
  avatar: string | null;
}

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : testFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every `securityTests(getServer, 'METHOD /path/:id', { scope, avatar })` call in the sources, read from their syntax trees. */
function securityTestsCalls(files: string[]): SecurityTestsCall[] {
  const calls: SecurityTestsCall[] = [];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    if (!text.includes('securityTests(')) continue;
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'securityTests') {
        const [, operation, rules] = node.arguments;
        if (!operation || !ts.isStringLiteral(operation) || !rules || !ts.isObjectLiteralExpression(rules)) {
          throw new Error(`${file}: a securityTests(...) call whose operation or rules are not written out`);
        }
        const field = (name: string) =>
          rules.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText(source) === name)
            ?.initializer;
        const literal = (node: ts.Expression | undefined) =>
          node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : null;
        const [method, routePath] = operation.text.split(' ');
        calls.push({
          file: path.relative(ROOT_DIR, file),
          method,
          path: routePath.replace(':id', 'X'),
          scope: literal(field('scope')),
          avatar: literal(field('avatar')),
        });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return calls;
}

const ROUTES_DIR = path.join(ROOT_DIR, 'src', 'http', 'routes');
const ROUTE_TESTS_DIR = path.join(ROOT_DIR, 'test', 'api', 'routes');

/** The files that register routes: every file under src/http/routes but the schemas a resource's routes share. */
const routeFiles = () => testFiles(ROUTES_DIR).filter((file) => !file.endsWith('-schemas.ts'));

/** src/http/routes/avatars/get-avatar.ts -> test/api/routes/avatars/get-avatar.test.ts (relative to the root). */
const testFileOf = (routeFile: string) =>
  path.relative(ROOT_DIR, path.join(ROUTE_TESTS_DIR, path.relative(ROUTES_DIR, routeFile).replace(/\.ts$/, '.test.ts')));

/** `GET /avatars/:id` for each `app.get('/avatars/:id', ...)` (or `scope.post<...>(...)`) of a route file. */
function registrations(routeFile: string): string[] {
  const text = fs.readFileSync(routeFile, 'utf8');
  return [...text.matchAll(/\.(get|post|put|delete)(?:<[^>]*>)?\(\s*'([^']+)'/g)].map((m) => `${m[1].toUpperCase()} ${m[2]}`);
}

describe('one test file per route', () => {
  it('finds test/api/routes/<resource>/<verb>.test.ts for each route file, and no test file there without its route', () => {
    const expected = routeFiles().map(testFileOf).sort();
    const present = testFiles(ROUTE_TESTS_DIR)
      .map((file) => path.relative(ROOT_DIR, file))
      .sort();
    expect(expected.length).toBeGreaterThanOrEqual(18);
    expect(expected.filter((file) => !present.includes(file))).toEqual([]);
    expect(present.filter((file) => !expected.includes(file))).toEqual([]);
  });

  it("groups each route test file's tests in describe('happy'), describe('error') and describe('security') blocks", () => {
    const problems: string[] = [];
    for (const file of routeFiles().map(testFileOf)) {
      const full = path.join(ROOT_DIR, file);
      if (!fs.existsSync(full)) continue;
      const text = fs.readFileSync(full, 'utf8');
      if (!/describe\('(happy|error)'/.test(text)) problems.push(`${file} has neither a describe('happy') nor a describe('error') block`);
      if (text.includes('securityTests(') && !text.includes("describe('security'")) {
        problems.push(`${file} calls securityTests(...) outside a describe('security') block`);
      }
    }
    expect(problems).toEqual([]);
  });
});

/** `/api/v1/avatars/{id}/source` matches `/api/v1/avatars/X/source` and `/api/v1/avatars/avt_0000/source`. */
const matches = (template: string, concrete: string) =>
  new RegExp(
    `^${template
      .split(/\{[^}]+\}/)
      .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
      .join('[^/]+')}$`,
  ).test(concrete);

describe('every secured route has security tests and a tenancy-matrix rule', () => {
  let server: TestServer;
  let secured: { key: string; method: string; path: string }[];
  const calls = securityTestsCalls([...testFiles(path.join(ROOT_DIR, 'test')), ...testFiles(path.join(ROOT_DIR, 'src'))]);

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    const document: OpenApiDocument = (await server.api('GET', '/api/v1/openapi.json')).body;
    secured = operationsOf(document).filter((o) => o.secured);
  });
  afterAll(() => server.close());

  it("reads the document's secured operations and the securityTests calls of the test sources", () => {
    expect(secured.map((o) => o.key)).toContain('GET /api/v1/avatars/{id}');
    expect(calls.length).toBeGreaterThanOrEqual(secured.length);
  });

  it('finds a securityTests(...) call for each operation that takes an API key, with the scope and avatar rule of the matrix', () => {
    const problems: string[] = [];
    for (const operation of secured) {
      const found = calls.filter((c) => c.method === operation.method && matches(operation.path, c.path));
      if (found.length === 0) {
        problems.push(`${operation.key} has no securityTests(...) call in any test file`);
        continue;
      }
      const rule = RULES[operation.key];
      for (const call of found) {
        if (rule && (call.scope !== rule.scope || call.avatar !== (rule.avatar ?? null))) {
          problems.push(
            `${operation.key}: ${call.file} tests scope ${call.scope} and avatar ${call.avatar}, the tenancy matrix says ${rule.scope} and ${rule.avatar ?? null}`,
          );
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('finds a tenancy-matrix rule for each operation that takes an API key, and none for an operation the document lacks', () => {
    const keys = secured.map((o) => o.key);
    expect(keys.filter((key) => !RULES[key])).toEqual([]);
    expect(Object.keys(RULES).filter((key) => !keys.includes(key))).toEqual([]);
  });

  it("finds each operation's securityTests(...) call in the test file of the route file that registers it", () => {
    const problems: string[] = [];
    for (const operation of secured) {
      const registered = `${operation.method} ${operation.path.replace(/^\/api\/v1/, '').replace(/\{([^}]+)\}/g, ':$1')}`;
      const owners = routeFiles().filter((file) => registrations(file).includes(registered));
      if (owners.length !== 1) {
        problems.push(`${operation.key} is registered by ${owners.length} route files (${registered})`);
        continue;
      }
      const expected = testFileOf(owners[0]);
      for (const call of calls.filter((c) => c.method === operation.method && matches(operation.path, c.path))) {
        if (call.file !== expected) problems.push(`${operation.key}: its securityTests(...) call is in ${call.file}, not ${expected}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('finds no securityTests(...) call for a route the document does not have', () => {
    const stale = calls.filter((c) => !secured.some((o) => o.method === c.method && matches(o.path, c.path)));
    expect(stale.map((c) => `${c.file}: ${c.method} ${c.path}`)).toEqual([]);
  });
});
