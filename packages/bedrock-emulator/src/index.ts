export { startBedrockEmulator } from './bedrock-emulator.js';
export { FAULT_HEADER, FaultSpecError, parseFaultSpec } from './faults.js';
export { DEFAULT_PROFILE } from './profile.js';
export { loadRecordings, parseChunkLines } from './recordings.js';
export type {
  BedrockEmulator,
  EmulatorOptions,
  FaultRule,
  FaultSpec,
  GroundTruth,
  LatencyDistribution,
  LatencyProfile,
  Operation,
  Recording,
  StreamExceptionType,
} from './types.js';
