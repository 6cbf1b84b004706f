// Types that tie the stand-in SDK to the real SDK's declarations: the stand-in must offer the same public
// members, constructors and enum values, or `tsc -p jsconfig.json` fails.

type IvsSdk = typeof import('amazon-ivs-web-broadcast');

/** The public members of a class instance (keyof leaves out private and protected members). */
type PublicOf<T> = { [K in keyof T]: T[K] };

/** A constructor taking the real class's parameters and building its public shape. */
type PublicClass<C extends abstract new (...args: any) => any> =
  new (...args: ConstructorParameters<C>) => PublicOf<InstanceType<C>>;

/** An enum's members with their values as literals (string members as their string, numeric ones as is). */
type EnumShape<E> = {
  [K in keyof E as K extends string ? K : never]: E[K] extends string ? `${E[K]}` : E[K]
};

/** What the stand-in puts on window.IVSBroadcastClient: the part of the SDK the pages use, same declarations. */
interface StandInSdk {
  Stage: PublicClass<IvsSdk['Stage']>;
  LocalStageStream: PublicClass<IvsSdk['LocalStageStream']>;
  StageEvents: IvsSdk['StageEvents'];
  StageConnectionState: IvsSdk['StageConnectionState'];
  StageErrorCode: IvsSdk['StageErrorCode'];
  StageErrorCategory: IvsSdk['StageErrorCategory'];
  StageLeftReason: IvsSdk['StageLeftReason'];
  StageParticipantPublishState: IvsSdk['StageParticipantPublishState'];
  StageParticipantSubscribeState: IvsSdk['StageParticipantSubscribeState'];
  StreamType: IvsSdk['StreamType'];
  SubscribeType: IvsSdk['SubscribeType'];
  isSupported: IvsSdk['isSupported'];
  __version: IvsSdk['__version'];
}

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
