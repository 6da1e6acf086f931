// Worker setup for the transport benchmark's worker-thread variants: rebuilds Bedrock endpoints from their JSON
// form with the emulator's fake credentials (see WorkerPoolOptions.setup in @llmeter/runner).
import { registerBedrockEndpoints } from '../packages/bedrock/dist/index.js';
import { endpointFromJSON } from '../packages/core/dist/index.js';

registerBedrockEndpoints({ credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'fake' } });
export const createEndpoint = endpointFromJSON;
