import { REST_API } from './api';
import { STAGE } from './deployment';
import { TABLE } from './table';
import { ref } from './types';

/** Stack outputs: what `sls info`, `npm run seed` and `npm run smoke` read. */
export const outputs = {
  ServiceEndpoint: {
    Description: 'Base URL of the API for this stage',
    Value: {
      'Fn::Join': [
        '',
        [
          'https://',
          ref(REST_API),
          '.execute-api.',
          ref('AWS::Region'),
          '.',
          ref('AWS::URLSuffix'),
          '/',
          ref(STAGE),
        ],
      ],
    },
  },
  TableName: { Description: 'DynamoDB table holding the records', Value: ref(TABLE) },
  RestApiId: { Description: 'API Gateway REST API id', Value: ref(REST_API) },
  ApiKeyId: {
    Description: 'Id of the writer API key (aws apigateway get-api-key --include-value)',
    Value: ref('WriterApiKey'),
  },
};
