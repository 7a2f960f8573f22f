export { SharedDetector, toRawFrame, type InferenceResult, type SharedDetectorStats } from './shared-detector.js';
