/**
 * DynamoDB answers errors with HTTP 400 and a `__type` (5XX for its own failures); the
 * integration responses send 4XX through error.response.vtl and 5XX through
 * server-error.response.vtl. Each type gets its documented status and our own message,
 * never DynamoDB's (which names tables, ARNs and types).
 */
import { renderMappingTemplate } from '../../local/vtl';
import { loadVtl } from '../../resources/vtl';

const errorTemplate = loadVtl('error.response.vtl');
const serverErrorTemplate = loadVtl('server-error.response.vtl');

const V = 'com.amazonaws.dynamodb.v20120810#';

/** [case, __type, DynamoDB's message, status, our message] — types as DynamoDB documents them
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html). */
const CLIENT_ERRORS: [string, string | undefined, string, number, string][] = [
  [
    'limit out of range (AWS, dynalite wording)',
    'com.amazon.coral.validate#ValidationException',
    "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
    400,
    'limit must be a whole number from 1 to 100',
  ],
  [
    'limit out of range (DynamoDB Local wording)',
    'com.amazon.coral.validate#ValidationException',
    'Limit must be greater than or equal to 1',
    400,
    'limit must be a whole number from 1 to 100',
  ],
  [
    'forged start key',
    'com.amazon.coral.validate#ValidationException',
    'The provided starting key is invalid',
    400,
    'Invalid nextToken',
  ],
  [
    'item over 400 KB',
    'com.amazon.coral.validate#ValidationException',
    'Item size has exceeded the maximum allowed size',
    400,
    'Item too large: DynamoDB items are at most 400 KB',
  ],
  [
    'nesting over 32 levels',
    'com.amazon.coral.validate#ValidationException',
    'Nesting Levels have exceeded supported limits',
    400,
    'Item nested too deeply: DynamoDB allows at most 32 levels',
  ],
  [
    'nesting over 31 levels, refused by _to-dynamo.vtl itself (dynalite does not check it)',
    'com.amazon.coral.validate#ValidationException',
    'One or more parameter values were invalid: Null attribute value types must have the value of true',
    400,
    'Item nested too deeply: DynamoDB allows at most 32 levels',
  ],
  [
    'hash key over 2048 bytes',
    'com.amazon.coral.validate#ValidationException',
    'One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of 2048 bytes',
    400,
    'id or range too long',
  ],
  [
    'range key over 1024 bytes (DynamoDB Local wording)',
    'com.amazon.coral.validate#ValidationException',
    'Hash primary key values must be under 2048 bytes, and range primary key values must be under 1024 bytes',
    400,
    'id or range too long',
  ],
  [
    'key sent as a number (malformed percent-encoding in the path)',
    'com.amazon.coral.validate#ValidationException',
    'One or more parameter values were invalid: Type mismatch for key id expected: S actual: N',
    400,
    'Invalid id or range: malformed percent-encoding in the path',
  ],
  [
    'any other validation error',
    'com.amazon.coral.validate#ValidationException',
    'ExpressionAttributeValues contains invalid value',
    400,
    'Invalid request',
  ],
  ['malformed request', `${V}SerializationException`, '', 400, 'Invalid request'],
  [
    'create-only write of an existing item',
    `${V}ConditionalCheckFailedException`,
    'The conditional request failed',
    412,
    'Precondition failed: the item already exists',
  ],
  [
    'provisioned throughput exceeded',
    `${V}ProvisionedThroughputExceededException`,
    'The level of configured provisioned throughput for the table was exceeded.',
    429,
    'Too many requests',
  ],
  [
    'throttling',
    'com.amazon.coral.availability#ThrottlingException',
    'Rate exceeded',
    429,
    'Too many requests',
  ],
  [
    'request limit exceeded',
    `${V}RequestLimitExceeded`,
    'Throughput exceeds the current throughput limit for your account.',
    429,
    'Too many requests',
  ],
  [
    'table missing',
    `${V}ResourceNotFoundException`,
    'Requested resource not found: Table: config-store-dev not found',
    502,
    'Bad gateway',
  ],
  [
    'role not allowed',
    'com.amazon.coral.service#AccessDeniedException',
    'User: arn:aws:sts::123456789012:assumed-role/x is not authorized to perform: dynamodb:Query',
    502,
    'Bad gateway',
  ],
  [
    'bad credentials',
    'com.amazon.coral.service#UnrecognizedClientException',
    'The security token included in the request is invalid.',
    502,
    'Bad gateway',
  ],
  [
    'internal error reported with 4XX',
    `${V}InternalServerError`,
    'Internal server error',
    503,
    'Service unavailable',
  ],
  ['not JSON at all', undefined, '<html>bad gateway</html>', 502, 'Bad gateway'],
];

describe('error.response.vtl (DynamoDB 4XX)', () => {
  it.each(CLIENT_ERRORS)(
    '%s → its status and our message',
    (_case, type, message, status, ours) => {
      const body = type === undefined ? message : JSON.stringify({ __type: type, message });
      const result = renderMappingTemplate(errorTemplate, { body });
      expect(result.statusOverride).toBe(status);
      expect(JSON.parse(result.body)).toEqual({ message: ours });
    },
  );

  it.each(CLIENT_ERRORS.filter(([, type]) => type !== undefined))(
    '%s: the same with DynamoDB Local`s capitalised `Message` key',
    (_case, type, message, status) => {
      const body = JSON.stringify({ __type: type, Message: message });
      expect(renderMappingTemplate(errorTemplate, { body }).statusOverride).toBe(status);
    },
  );

  it('never lets DynamoDB detail through', () => {
    for (const [, type, message] of CLIENT_ERRORS) {
      const body = JSON.stringify({ __type: type, message });
      const out = renderMappingTemplate(errorTemplate, { body }).body;
      expect(out).not.toMatch(/com\.amazon|Exception|arn:|config-store|__type|dynamodb:/);
    }
  });
});

describe('server-error.response.vtl (DynamoDB 5XX)', () => {
  it.each([
    JSON.stringify({ __type: `${V}InternalServerError`, message: 'Internal server error' }),
    JSON.stringify({ __type: 'com.amazon.coral.availability#ServiceUnavailableException' }),
    '<html>503 Service Temporarily Unavailable</html>',
    '',
  ])('%j → 503 Service unavailable', (body) => {
    const result = renderMappingTemplate(serverErrorTemplate, { body });
    expect(result.statusOverride).toBe(503);
    expect(JSON.parse(result.body)).toEqual({ message: 'Service unavailable' });
  });
});
