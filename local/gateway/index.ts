/** The API Gateway (REST) emulator of the local stage. See docs/local-stage.md. */
export type { ApiModel } from './api-model';
export { buildApiModel } from './api-model-build';
export {
  createGateway,
  formatTrace,
  type ExecutionTrace,
  type Gateway,
  type GatewayOptions,
} from './pipeline';
export { serveGateway, type RunningServer } from './server';
export type { CfnTemplate } from '../../lib/cloudformation';
export { readTemplate, UnsupportedConstructError } from './packaged-template';
