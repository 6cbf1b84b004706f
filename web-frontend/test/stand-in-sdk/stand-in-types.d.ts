// The stand-in SDK's test controls. Its shape is tied to the real SDK's declarations by SdkShape
// (src/sdk-shape.d.ts): the same public members, constructors and enum values, or `tsc -p jsconfig.json` fails.

/** What the stand-in puts on window.IVSBroadcastClient: the part of the SDK the pages use (src/sdk-shape.d.ts). */
type StandInSdk = SdkShape;

/** One thing the stand-in saw, for tests to assert on. */
interface StandInEvent {
  seq: number;
  at: number;
  type: string;
  stageArn: string;
  stageId: string;
  participantId: string;
  detail: Record<string, unknown>;
}

/** Test controls, on window.__standIn. */
interface StandInControl {
  events: StandInEvent[];
  /** Rejects the next `times` joins of a stage (id, ARN or '*') with this StageErrorCode, after delayMs. */
  rejectNextJoin(stage: string, options?: { code?: number; delayMs?: number; times?: number }): void;
  /** Sets the subscriber count reported to publishers on a stage. */
  setSubscriberCount(stage: string, count: number): void;
  /** Makes the SDK drop every connection to a stage with this StageLeftReason. */
  dropStage(stage: string, reason?: string): void;
  /** Stages currently joined (not left), one entry per Stage object. */
  joined(): { stageArn: string; stageId: string; participantId: string; publishing: string[]; subscribed: boolean }[];
  /** Milliseconds a successful join takes. */
  connectDelayMs: number;
  /** Present every token to the IVS emulator (POST /__stand-in/join, routed there by the test) before "connecting". */
  verifyJoins: boolean;
}

interface Window {
  __standIn?: StandInControl;
}
