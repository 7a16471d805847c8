import { currentWriterKey, previousWriterKey, WRITER_KEYS_PARAMETER } from './api-keys';
import { REST_API } from './api';
import { STAGE } from './deployment';
import { TABLE } from './table';
import { ref } from './intrinsics';

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
    Description: 'Id of the current writer API key (sls info prints its value)',
    Value: currentWriterKey,
  },
  PreviousApiKeyId: {
    Description: 'Id of the writer API key a rotation is retiring (npm run rotate-key)',
    Condition: 'WriterKeyRotating',
    Value: previousWriterKey,
  },
  WriterKeys: {
    Description: 'Writer API key slots, current last (changed by npm run rotate-key)',
    Value: ref(WRITER_KEYS_PARAMETER),
  },
};
