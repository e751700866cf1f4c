// Test peers for the acquisition sources: local servers that speak KiwiSDR's WebSocket sound stream and
// rtl_tcp byte for byte (no real receiver is reachable from CI), with known tones to check decoding.
// Used by the acquisition-worker and ui-api tests, the reliability suite and bench:acquisition.
export { KIWI_GPS, type KiwiPeer, type KiwiPeerOptions, startKiwiPeer } from './kiwisdr-peer';
export { type RtlTcpPeer, type RtlTcpPeerOptions, startRtlTcpPeer } from './rtl-tcp-peer';
export { dominantTone, type Tone, toneSample } from './tone';
