export { ENV, verifierSettings } from './config.ts';
export type { VerifierSettings } from './config.ts';
export { FAILED_PRECONDITION, headerValue, parseInterceptorRequest } from './request.ts';
export type { InterceptorRequest, InterceptorResponse } from './request.ts';
export { handleDelivery, startVerifier } from './server.ts';
export type { RunningVerifier, VerifierOptions } from './server.ts';
export { PROVIDERS, verifyDelivery } from './verify.ts';
export type { Provider, Verdict, VerifierConfig } from './verify.ts';
