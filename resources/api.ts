import { DELETE_ROLE, PUT_ROLE, READ_ROLE } from './iam';
import { TABLE } from './table';
import type { CfnResources } from '../lib/cloudformation';
import { getAtt, ref } from './intrinsics';
import { loadVtl, withPlaceholders } from './vtl';

/** Logical ids of the REST API and its path resources. */
export const REST_API = 'RestApi';
export const ITEMS_RESOURCE = 'ItemsResource'; // /{id}
export const ITEM_RESOURCE = 'ItemResource'; // /{id}/{range}
export const ITEM_MODEL = 'ItemModel';
export const BODY_VALIDATOR = 'BodyValidator';
export const PARAMS_VALIDATOR = 'ParamsValidator';

const JSON_TYPE = 'application/json';
const CORS_ORIGIN = 'method.response.header.Access-Control-Allow-Origin';
/** The allowed CORS origin, a stage param, as an API Gateway static header value. */
export const CORS_ORIGIN_VALUE = "'${param:corsOrigin}'";
const CORS_HEADERS = 'Content-Type,X-Api-Key,If-None-Match';

/** Every status a method can answer with (error.response.vtl and overrides choose them). */
const METHOD_STATUSES = ['200', '201', '204', '400', '404', '412', '429', '500', '502', '503'];

/** A mapping template from `vtl/`, with the table name put in at deploy time. */
function template(name: string) {
  return withPlaceholders(loadVtl(name), { TableName: ref(TABLE) });
}

interface DynamoMethodOptions {
  resource: string;
  httpMethod: 'GET' | 'PUT' | 'DELETE';
  /** The DynamoDB API action the integration calls. */
  action: 'Query' | 'GetItem' | 'PutItem' | 'DeleteItem';
  role: string;
  /** Base name of the `vtl/<name>.request.vtl` / `.response.vtl` pair. */
  templates: string;
  apiKeyRequired: boolean | string;
  requestParameters: Record<string, boolean>;
  /** Validates the body against ITEM_MODEL when set. */
  validateBody?: boolean;
}

/**
 * A method whose integration calls DynamoDB directly (type AWS, no Lambda).
 * Integration responses: 2XX through the method's response template (the default, so a
 * status no pattern matches still gets a JSON body); DynamoDB's errors, which come back as
 * HTTP 400 with a `__type`, through error.response.vtl, which picks the status by type;
 * 5XX through server-error.response.vtl (503).
 * PassthroughBehavior NEVER: a body in any other content type is refused (415), never
 * forwarded to DynamoDB unmapped.
 */
function dynamoMethod(options: DynamoMethodOptions) {
  const errorResponse = (statusCode: string, selectionPattern: string, vtl: string) => ({
    StatusCode: statusCode,
    SelectionPattern: selectionPattern,
    ResponseParameters: { [CORS_ORIGIN]: CORS_ORIGIN_VALUE },
    ResponseTemplates: { [JSON_TYPE]: template(vtl) },
  });
  return {
    Type: 'AWS::ApiGateway::Method',
    Properties: {
      RestApiId: ref(REST_API),
      ResourceId: ref(options.resource),
      HttpMethod: options.httpMethod,
      AuthorizationType: 'NONE',
      ApiKeyRequired: options.apiKeyRequired,
      RequestParameters: options.requestParameters,
      RequestValidatorId: ref(options.validateBody ? BODY_VALIDATOR : PARAMS_VALIDATOR),
      ...(options.validateBody ? { RequestModels: { [JSON_TYPE]: ref(ITEM_MODEL) } } : {}),
      Integration: {
        Type: 'AWS',
        IntegrationHttpMethod: 'POST',
        Uri: { 'Fn::Sub': `arn:aws:apigateway:\${AWS::Region}:dynamodb:action/${options.action}` },
        Credentials: getAtt(options.role, 'Arn'),
        PassthroughBehavior: 'NEVER',
        RequestTemplates: { [JSON_TYPE]: template(`${options.templates}.request.vtl`) },
        IntegrationResponses: [
          {
            StatusCode: '200',
            ResponseParameters: { [CORS_ORIGIN]: CORS_ORIGIN_VALUE },
            ResponseTemplates: { [JSON_TYPE]: template(`${options.templates}.response.vtl`) },
          },
          errorResponse('400', '4\\d{2}', 'error.response.vtl'),
          errorResponse('503', '5\\d{2}', 'server-error.response.vtl'),
        ],
      },
      MethodResponses: METHOD_STATUSES.map((StatusCode) => ({
        StatusCode,
        ResponseParameters: { [CORS_ORIGIN]: true },
      })),
    },
  };
}

/** OPTIONS: the CORS preflight, answered by API Gateway itself (MOCK integration). */
function preflightMethod(resource: string, allowedMethods: string) {
  const headers = {
    'method.response.header.Access-Control-Allow-Origin': CORS_ORIGIN_VALUE,
    'method.response.header.Access-Control-Allow-Methods': `'${allowedMethods}'`,
    'method.response.header.Access-Control-Allow-Headers': `'${CORS_HEADERS}'`,
    'method.response.header.Access-Control-Max-Age': "'600'",
  };
  return {
    Type: 'AWS::ApiGateway::Method',
    Properties: {
      RestApiId: ref(REST_API),
      ResourceId: ref(resource),
      HttpMethod: 'OPTIONS',
      AuthorizationType: 'NONE',
      ApiKeyRequired: false,
      Integration: {
        Type: 'MOCK',
        PassthroughBehavior: 'WHEN_NO_TEMPLATES',
        RequestTemplates: { [JSON_TYPE]: loadVtl('options.request.vtl') },
        IntegrationResponses: [
          {
            StatusCode: '204',
            ResponseParameters: headers,
            ResponseTemplates: { [JSON_TYPE]: '' },
          },
        ],
      },
      MethodResponses: [
        {
          StatusCode: '204',
          ResponseParameters: Object.fromEntries(Object.keys(headers).map((h) => [h, true])),
        },
      ],
    },
  };
}

const pathParams = (...names: string[]) =>
  Object.fromEntries(names.map((name) => [`method.request.path.${name}`, true]));

/** The REST API: resources, methods, request validation. Gateway responses are separate. */
export const apiResources: CfnResources = {
  [REST_API]: {
    Type: 'AWS::ApiGateway::RestApi',
    Properties: {
      Name: '${self:service}-${sls:stage}',
      Description: 'Configuration records served from DynamoDB (stage ${sls:stage})',
      EndpointConfiguration: { Types: ['REGIONAL'] },
      ApiKeySourceType: 'HEADER',
    },
  },
  [ITEMS_RESOURCE]: {
    Type: 'AWS::ApiGateway::Resource',
    Properties: {
      RestApiId: ref(REST_API),
      ParentId: getAtt(REST_API, 'RootResourceId'),
      PathPart: '{id}',
    },
  },
  [ITEM_RESOURCE]: {
    Type: 'AWS::ApiGateway::Resource',
    Properties: { RestApiId: ref(REST_API), ParentId: ref(ITEMS_RESOURCE), PathPart: '{range}' },
  },
  [PARAMS_VALIDATOR]: {
    Type: 'AWS::ApiGateway::RequestValidator',
    Properties: {
      RestApiId: ref(REST_API),
      Name: 'params',
      ValidateRequestParameters: true,
      ValidateRequestBody: false,
    },
  },
  [BODY_VALIDATOR]: {
    Type: 'AWS::ApiGateway::RequestValidator',
    Properties: {
      RestApiId: ref(REST_API),
      Name: 'params-and-body',
      ValidateRequestParameters: true,
      ValidateRequestBody: true,
    },
  },
  [ITEM_MODEL]: {
    Type: 'AWS::ApiGateway::Model',
    Properties: {
      RestApiId: ref(REST_API),
      ContentType: JSON_TYPE,
      Name: 'Item',
      Description: 'A configuration item: any JSON object (id and range come from the path)',
      Schema: {
        $schema: 'http://json-schema.org/draft-04/schema#',
        title: 'Item',
        type: 'object',
      },
    },
  },
  GetItemsMethod: dynamoMethod({
    resource: ITEMS_RESOURCE,
    httpMethod: 'GET',
    action: 'Query',
    role: READ_ROLE,
    templates: 'get-items',
    apiKeyRequired: '${param:readApiKeyRequired}',
    requestParameters: {
      ...pathParams('id'),
      'method.request.querystring.prefix': false,
      'method.request.querystring.limit': false,
      'method.request.querystring.nextToken': false,
    },
  }),
  GetItemMethod: dynamoMethod({
    resource: ITEM_RESOURCE,
    httpMethod: 'GET',
    action: 'GetItem',
    role: READ_ROLE,
    templates: 'get-item',
    apiKeyRequired: '${param:readApiKeyRequired}',
    requestParameters: pathParams('id', 'range'),
  }),
  PutItemMethod: dynamoMethod({
    resource: ITEM_RESOURCE,
    httpMethod: 'PUT',
    action: 'PutItem',
    role: PUT_ROLE,
    templates: 'put-item',
    apiKeyRequired: true,
    requestParameters: {
      ...pathParams('id', 'range'),
      'method.request.header.If-None-Match': false,
    },
    validateBody: true,
  }),
  DeleteItemMethod: dynamoMethod({
    resource: ITEM_RESOURCE,
    httpMethod: 'DELETE',
    action: 'DeleteItem',
    role: DELETE_ROLE,
    templates: 'delete-item',
    apiKeyRequired: true,
    requestParameters: pathParams('id', 'range'),
  }),
  ItemsOptionsMethod: preflightMethod(ITEMS_RESOURCE, 'GET,OPTIONS'),
  ItemOptionsMethod: preflightMethod(ITEM_RESOURCE, 'GET,PUT,DELETE,OPTIONS'),
};
