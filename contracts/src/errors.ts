/**
 * Errors that cross a process boundary carry a stable code so operators, logs and the API can match
 * on it, and a message that says what to do next (fastify's habit: FST_ERR_* codes).
 */
export type VigilErrorCode =
  | 'VIGIL_ERR_CONFIG_PARSE'
  | 'VIGIL_ERR_CONFIG_INVALID'
  | 'VIGIL_ERR_CONFIG_VERSION'
  | 'VIGIL_ERR_CONFIG_ENV'
  | 'VIGIL_ERR_CONTRACT_INVALID'
  | 'VIGIL_ERR_CONTRACT_JSON'
  | 'VIGIL_ERR_CONTRACT_TOPIC'
  | 'VIGIL_ERR_MODEL_NOT_FOUND'
  | 'VIGIL_ERR_MODEL_MANIFEST'
  | 'VIGIL_ERR_MODEL_CHECKSUM'
  | 'VIGIL_ERR_MODEL_CORRUPT'
  | 'VIGIL_ERR_MODEL_INPUT'
  | 'VIGIL_ERR_MODEL_CONVERT'
  | 'VIGIL_ERR_MODEL_EVAL_DATA'
  | 'VIGIL_ERR_SOURCE_FFMPEG'
  | 'VIGIL_ERR_SOURCE_FAILED'
  | 'VIGIL_ERR_NOT_IMPLEMENTED'
  | 'VIGIL_ERR_REPLAY_INPUT'
  | 'VIGIL_ERR_OUTBOX'
  | 'VIGIL_ERR_MQTT_TLS'
  | 'VIGIL_ERR_MQTT_CONNECT'
  | 'VIGIL_ERR_STORE_MIGRATION'
  | 'VIGIL_ERR_STORE_CONNECT'
  | 'VIGIL_ERR_EVIDENCE_MISMATCH'
  | 'VIGIL_ERR_EVIDENCE_WRITE';

export class VigilError extends Error {
  readonly code: VigilErrorCode;
  constructor(code: VigilErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VigilError';
    this.code = code;
  }
}
