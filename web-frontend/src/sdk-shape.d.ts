// The part of the IVS Web Broadcast SDK the pages use, as a type: the real SDK, local mode's stage client
// (src/js/local-stage.js) and the tests' stand-in must all fit it, or `tsc -p jsconfig.json` fails.

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

/** The SDK as the pages use it: the real one fits, and so must every stand-in for it. */
interface SdkShape {
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
