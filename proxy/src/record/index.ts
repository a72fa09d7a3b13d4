// Recording real exchanges through the proxy, for replay on copies of the database.
export { createRecordExtension, type RecordExtension, type RecordExtensionOptions } from './record-extension.js';
export type { RecordingControl, StartRecording } from './recording-control.js';
export type { RecordingStatus } from './recording.js';
export { parseDuration } from './parse-duration.js';
export * from './recording-format.js';
export { readRecording, type ReadRecording } from './read-recording.js';
