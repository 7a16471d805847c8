/**
 * Conformance of the mapping-template runtime with API Gateway, from AWS documentation and
 * AWS-recorded snapshots (LocalStack's tests/aws/services/apigateway/*.snapshot.json record real
 * AWS responses). Each expectation cites its source.
 */
import {
  TemplateRuntimeError,
  UnsupportedTemplateError,
  compileMappingTemplate,
  renderMappingTemplate,
} from '../../local/vtl';
import { escapeJavaScript, urlEncode } from '../../local/vtl/util';

const render = (template: string, body = '{}', extra: object = {}): string =>
  renderMappingTemplate(template, { body, ...extra }).body;

// localstack/localstack tests/aws/services/apigateway/test_apigateway_common.snapshot.json,
// test_input_path_template_formatting (recorded on AWS 18-06-2025), templates from
// test_apigateway_common.py.
const pathFormatting: [string, string, string][] = [
  ['a map prints Java style', '#set($result = $input.path("$.json"))$result', '{foo=bar}'],
  ['a list prints as JSON', '#set($result = $input.path("$.json"))$result', '[{"foo":"bar"}]'],
  [
    'a list element map prints Java style',
    '#set($result = $input.path("$.json"))$result[0]',
    '{foo=bar}',
  ],
  ['toString() of a map', '#set($result = $input.path("$.json"))$result.toString()', '{foo=bar}'],
  [
    'a list inside a map prints as JSON',
    '#set($result = $input.path("$.json"))$result',
    '{foo=[{"nested":"bar"}]}',
  ],
  [
    'map entries are separated by ", "',
    '#set($result = $input.path("$.json"))$result',
    '{bigger=dict, to=test, with=separators}',
  ],
];
const pathBodies = [
  { json: { foo: 'bar' } },
  { json: [{ foo: 'bar' }] },
  { json: [{ foo: 'bar' }] },
  { json: { foo: 'bar' } },
  { json: { foo: [{ nested: 'bar' }] } },
  { json: { bigger: 'dict', to: 'test', with: 'separators' } },
];

const invalidPath =
  '#set($result = $input.path("$.nonExisting")){"body": $result, "nested": $result.nested, "isNull": #if( $result == $null )"true"#else"false"#end, "isEmptyString": #if( $result == "" )"true"#else"false"#end}';
const nestedList =
  '#set($result = $input.path("$.json.listValue")){"body": $result, "nested": $result.nested, "isNull": #if( $result == $null )"true"#else"false"#end, "isEmptyString": #if( $result == "" )"true"#else"false"#end}';

describe('$input.path formatting (AWS-recorded)', () => {
  it.each(pathFormatting.map(([name, t, out], i) => [name, t, pathBodies[i], out] as const))(
    '%s',
    (_name, template, body, expected) => {
      expect(render(template, JSON.stringify(body))).toBe(expected);
    },
  );

  // Same snapshot: "empty-body", "nested-empty-list", "nested-null-list".
  it.each([
    [
      'missing path',
      invalidPath,
      '{}',
      '{"body": , "nested": , "isNull": "true", "isEmptyString": "true"}',
    ],
    [
      'empty list',
      nestedList,
      '{"json": {"listValue": []}}',
      '{"body": [], "nested": , "isNull": "false", "isEmptyString": "false"}',
    ],
    [
      'null value',
      nestedList,
      '{"json": {"listValue": null}}',
      '{"body": , "nested": , "isNull": "true", "isEmptyString": "true"}',
    ],
  ])(
    '%s renders as nothing and compares equal to null and ""',
    (_name, template, body, expected) => {
      expect(render(template, body)).toBe(expected);
    },
  );
});

// test_apigateway_common.snapshot.json, test_input_body_formatting (recorded on AWS 19-03-2025).
describe('$input.body (AWS-recorded)', () => {
  const raw = '#set($result = $input.body)$result';
  const inString = 'Action=SendMessage&MessageBody=$input.body';
  const attr = '#set($result = $input.body.testAccess)$result';
  const encode =
    'EncodedBody=$util.urlEncode($input.body)&EncodedBodyAccess=$util.urlEncode($input.body.testAccess)';
  it.each([
    ['raw, empty body', raw, '', '{}'],
    ['raw, JSON body', raw, '{"some": "value"}', '{"some": "value"}'],
    ['raw, text body', raw, 'some raw data', 'some raw data'],
    ['in a string, empty body', inString, '', 'Action=SendMessage&MessageBody={}'],
    ['attribute of the body string is nothing', attr, '{"testAccess": 1}', ''],
    ['urlEncode, empty body', encode, '', 'EncodedBody=%7B%7D&EncodedBodyAccess='],
    [
      'urlEncode, JSON body',
      encode,
      '{"some": "value"}',
      'EncodedBody=%7B%22some%22%3A+%22value%22%7D&EncodedBodyAccess=',
    ],
    [
      'urlEncode, text body',
      encode,
      'some raw data',
      'EncodedBody=some+raw+data&EncodedBodyAccess=',
    ],
  ])('%s', (_name, template, body, expected) => {
    expect(render(template, body)).toBe(expected);
  });
});

describe('$input.params, $context, $stageVariables', () => {
  const input = {
    params: { path: { id: 'p' }, querystring: { id: 'q', q: 'v' }, header: { id: 'h', h: 'H' } },
    context: {
      requestId: 'r-1',
      stage: 'dev',
      httpMethod: 'GET',
      resourcePath: '/{id}',
      path: '/dev/p',
      identity: { sourceIp: '10.0.0.1', userAgent: 'curl', apiKey: 'k' },
      requestTimeEpoch: 1700000000123,
      apiId: 'abc123',
    },
    stageVariables: { color: 'blue' },
  };
  // api-gateway-mapping-template-reference.md: params(x) searches path, then query string, then header.
  it.each([
    ['path wins over query string and header', "$input.params('id')", 'p'],
    ['query string', "$input.params('q')", 'v'],
    ['header', "$input.params('h')", 'H'],
    ['absent parameter is empty', "[$input.params('none')]", '[]'],
    ['params() sections', '$input.params().querystring', '{id=q, q=v}'],
    [
      'context fields',
      '$context.requestId $context.stage $context.httpMethod $context.resourcePath $context.path',
      'r-1 dev GET /{id} /dev/p',
    ],
    [
      'context identity',
      '$context.identity.sourceIp $context.identity.userAgent $context.identity.apiKey',
      '10.0.0.1 curl k',
    ],
    ['requestTimeEpoch is an integer', '$context.requestTimeEpoch', '1700000000123'],
    ['stage variables', '$stageVariables.color [$stageVariables.none]', 'blue []'],
  ])('%s', (_name, template, expected) => {
    expect(renderMappingTemplate(template, { body: '{}', ...input }).body).toBe(expected);
  });
});

describe('$context.responseOverride', () => {
  it('surfaces status and headers (api-gateway-override-request-response-parameters.md)', () => {
    const result = renderMappingTemplate(
      '#set($context.responseOverride.status = 418)#set($context.responseOverride.header.X-Reason = "teapot")ok',
      { body: '{}' },
    );
    expect(result).toEqual({
      body: 'ok',
      statusOverride: 418,
      headerOverrides: { 'X-Reason': 'teapot' },
      responseOverrideValues: { status: '418' },
      requestOverrides: { header: {}, querystring: {}, path: {} },
    });
  });
  it('hands back $context.requestOverride maps, whichever form the template wrote them in', () => {
    const result = renderMappingTemplate(
      "#set($context.requestOverride.header.X-A = 'a')#set($q = $context.requestOverride.querystring)#set($ok = $q.put('q', 1))#set($context['requestOverride']['path']['p'] = 'x')ok",
      { body: '{}' },
    );
    expect(result.requestOverrides).toEqual({
      header: { 'X-A': 'a' },
      querystring: { q: '1' },
      path: { p: 'x' },
    });
  });
  it('no override leaves the response alone', () => {
    expect(renderMappingTemplate('x', { body: '{}' })).toEqual({
      body: 'x',
      headerOverrides: {},
      responseOverrideValues: {},
      requestOverrides: { header: {}, querystring: {}, path: {} },
    });
  });
  it("a request template's overrides, passed back in as $context, are what the response template reads", () => {
    const request = renderMappingTemplate(
      '#set($context.responseOverride.status = 444)#set($context.responseOverride.header.foo = "bar")#set($context.responseOverride.custom = "c")#set($context.requestOverride.path.body = "b")',
      { body: '{}' },
    );
    const response = renderMappingTemplate(
      '$context.responseOverride.status $context.responseOverride.header.foo $context.responseOverride.custom $context.requestOverride.path.body',
      {
        body: '{}',
        context: {
          requestOverride: request.requestOverrides,
          responseOverride: { ...request.responseOverrideValues, header: request.headerOverrides },
        },
      },
    );
    expect(response.body).toBe('444 bar c b');
  });
  it('setting the same override twice is an error, as on AWS (5XX)', () => {
    expect(() =>
      render(
        '#set($context.responseOverride.status = 400)#set($context.responseOverride.status = 401)',
      ),
    ).toThrow(TemplateRuntimeError);
  });
});

describe('$util', () => {
  // api-gateway-mapping-template-reference.md and Commons Lang 2.6 StringEscapeUtils.
  it.each([
    ["'", "\\'"],
    ['"', '\\"'],
    ['\\', '\\\\'],
    ['/', '\\/'],
    ['\b\f\n\r\t', '\\b\\f\\n\\r\\t'],
    ['\u0000\u000b\u001f', '\\u0000\\u000B\\u001F'],
    ['\u007f', '\u007f'],
    ['\u0080é', '\\u0080\\u00E9'],
    ['\u0100\u0fff', '\\u0100\\u0FFF'],
    ['€😀', '\\u20AC\\uD83D\\uDE00'],
  ])('escapeJavaScript(%j) = %j', (input, expected) => {
    expect(escapeJavaScript(input)).toBe(expected);
  });
  it.each([
    ['a b', 'a+b'],
    ['{"some": "value"}', '%7B%22some%22%3A+%22value%22%7D'],
    ['.-*_~!', '.-*_%7E%21'],
    ['é', '%C3%A9'],
  ])('urlEncode(%j) = %j (form encoding)', (input, expected) => {
    expect(urlEncode(input)).toBe(expected);
  });
  it.each([
    ['urlDecode', "$util.urlDecode('a+b%20c%C3%A9')", 'a b cé'],
    ['base64Encode', "$util.base64Encode('héllo')", 'aMOpbGxv'],
    ['base64Decode', "$util.base64Decode('aMOpbGxv')", 'héllo'],
    [
      'parseJson gives a walkable object',
      '#set($o = $util.parseJson(\'{"a":{"b":[1,2.0]}}\'))$o.a.b $o.a.b.get(1) $o.a',
      '[1,2.0] 2.0 {b=[1,2.0]}',
    ],
  ])('%s', (_name, template, expected) => {
    expect(render(template)).toBe(expected);
  });
});

describe('Java methods and literals', () => {
  it.each([
    ['integer division', '#set($x = 7 / 2)$x', '3'],
    ['decimal division', '#set($x = 7.0 / 2)$x', '3.5'],
    ['list literal is an ArrayList', "#set($l = [1, 'a'])$l $l.size()", '[1, a] 2'],
    [
      'map literal is a LinkedHashMap',
      "#set($m = {'b': 1, 'a': 2})$m $m.keySet() $m.values()",
      '{b=1, a=2} [b, a] [1, 2]',
    ],
    [
      'remove(int) removes by index',
      '#set($l = [5, 6, 7])#set($x = $l.remove(0))$x $l',
      '5 [6, 7]',
    ],
    [
      'replaceAll uses Java replacement syntax',
      "#set($s = 'a-b')$s.replaceAll('(\\w)-(\\w)', '$2\\$$1')",
      'b$a',
    ],
    [
      'matches needs a full match',
      "#set($s = 'abc')$s.matches('b') $s.matches('a.c')",
      'false true',
    ],
    [
      'split drops trailing empty strings',
      "#set($s = 'a,,b,,')#set($p = $s.split(','))$p.size()",
      '3',
    ],
    ['trim strips control characters like Java', '#set($s = "\u0001 x \u0002")[$s.trim()]', '[x]'],
    ['descending range', '#foreach($i in [3..0])$i#end', '3210'],
    ['duck typing: a missing method is null', "#set($s = 'x')[$!s.keySet()]", '[]'],
  ])('%s', (_name, template, expected) => {
    expect(render(template)).toBe(expected);
  });
});

describe('limits and refusals', () => {
  it.each([
    ['#macro', '#macro(m)x#end#m()', /#macro is not supported by API Gateway/],
    ['#include', "#include('x.vtl')", /#include is not supported by API Gateway/],
    ['#parse', "#parse('x.vtl')", /#parse is not supported by API Gateway/],
    ['a macro call', '#foo()', /macro call/],
    [
      'unknown $util function',
      "$util.escapeJavascript('x')",
      /escapeJavascript is not one of API Gateway's \$util functions/,
    ],
    ['an escaped reference in text', 'a \\$x', /escaped reference/],
    ['a Java method we do not implement', "#set($s = 'x')$s.codePointAt(0)", /String.codePointAt/],
    ['a Java regex construct JS lacks', "#set($s = 'x')$s.matches('\\p{Alpha}+')", /POSIX/],
    // Velocity 1.7 prints `##` after `$a.b` (reference engine: "1##\n"), velocityjs drops it.
    ['## right after $a.b', '#set($a = {"b": 1})\n$a.b##\nX', /right after a reference/],
  ])('refuses %s', (_name, template, message) => {
    expect(() => render(template)).toThrow(UnsupportedTemplateError);
    expect(() => render(template)).toThrow(message);
  });

  it('refuses a template over 300 KB (limits.md)', () => {
    expect(() => compileMappingTemplate('x'.repeat(300 * 1024 + 1))).toThrow(TemplateRuntimeError);
    expect(() => compileMappingTemplate('x'.repeat(300 * 1024))).not.toThrow();
  });

  it('stops a #foreach after 1000 iterations like AWS, and reports it', () => {
    const warnings: string[] = [];
    const result = renderMappingTemplate(
      '#set($n = 0)#foreach($i in [1..1500])#set($n = $n + 1)#end$n',
      { body: '{}' },
      { onWarning: (w) => warnings.push(w.code) },
    );
    expect(result.body).toBe('1000');
    expect(warnings).toEqual(['foreach-limit']);
  });

  it('compiles once and renders many inputs', () => {
    const render1 = compileMappingTemplate("$input.path('$.a')");
    expect([render1({ body: '{"a":1}' }).body, render1({ body: '{"a":"x"}' }).body]).toEqual([
      '1',
      'x',
    ]);
  });
});
