// The SDK is loaded as a UMD bundle through a plain <script> tag, which defines this global.
interface Window {
  IVSBroadcastClient?: typeof import('amazon-ivs-web-broadcast');
}
