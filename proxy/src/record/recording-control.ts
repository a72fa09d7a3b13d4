import type { RecordingStatus } from './recording.js';

export type StartRecording =
  | { readonly ok: true; readonly recording: RecordingStatus }
  | { readonly ok: false; readonly status: number; readonly error: string };

/** Starting, stopping and listing recordings: what `/__proxy/recordings` needs of the record extension. */
export interface RecordingControl {
  /** Starts recording a route's exchanges; refused for an unknown route or a route already recording. */
  start(request: { route: string; durationMs?: number | null; count?: number | null }): StartRecording;
  stop(id: string): Promise<RecordingStatus | undefined>;
  list(): RecordingStatus[];
  get(id: string): RecordingStatus | undefined;
}
