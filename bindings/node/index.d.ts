// Type declarations of the authtoken Node binding (index.js).
/// <reference types="node" />

/** The result codes of the C API (values fixed by the contract). */
export declare const Result: Readonly<{
  OK: 0; INVALID_ARGUMENT: 1; NOT_REFRESHABLE: 2; NETWORK: 3; TIMEOUT: 4; PROTOCOL: 5;
  OAUTH: 6; INVALID_GRANT: 7; INVALID_CLIENT: 8; ACCESS_DENIED: 9; CANCELLED: 10;
  STATE_MISMATCH: 11; ID_TOKEN: 12; REDIRECT: 13; BROWSER: 14; FORMAT: 15; IO: 16;
  UNSUPPORTED: 17; INTERNAL: 99;
}>;
export type ResultCode = (typeof Result)[keyof typeof Result];

export declare const Kind: Readonly<{ OAUTH2: 0; OPENID: 1; JWT: 2 }>;

/** Option names and their numbers (auth_option). */
export declare const Option: Readonly<{
  clientId: 1; clientSecret: 2; authUrl: 3; tokenUrl: 4; scope: 5; redirectUrl: 6;
  responseType: 7; additionalParameters: 8; configurationUrl: 9; clientAuth: 10;
  loginTimeout: 11; httpTimeout: 12; flow: 13; deviceAuthUrl: 14; revocationUrl: 15;
  userinfoUrl: 16; pkce: 17; successPage: 18; logoutUrl: 19; introspectionUrl: 20;
  clientCertificate: 21; clientCertificatePassword: 22; jwtPrivateKey: 23; jwtAlgorithm: 24;
  jwtKeyId: 25; jwtIssuer: 26; jwtSubject: 27; jwtAudience: 28; caFile: 29; proxy: 30;
  clockSkew: 31; acrValues: 40; maxAge: 41; prompt: 42; loginHint: 43;
  requestedTokenType: 44; audience: 45; actorToken: 46; actorTokenType: 47; cibaUrl: 48;
  bindingMessage: 49;
}>;
export type OptionName = keyof typeof Option;

/** A failure of the library. */
export declare class AuthError extends Error {
  /** The result code. */
  readonly code: ResultCode;
  /** e.g. "AUTH_ERROR_INVALID_GRANT". */
  readonly codeName: string;
  /** The server's OAuth `error` field, "" if none. */
  readonly oauthError: string;
  /** The HTTP status of the answer, 0 if none. */
  readonly httpStatus: number;
  /** For CancelledError: the exception an open-URL or device-prompt callback threw. */
  cause?: unknown;
}
export declare class InvalidArgumentError extends AuthError { static readonly code: 1; }
export declare class NotRefreshableError extends AuthError { static readonly code: 2; }
export declare class NetworkError extends AuthError { static readonly code: 3; }
export declare class TimeoutError extends AuthError { static readonly code: 4; }
export declare class ProtocolError extends AuthError { static readonly code: 5; }
export declare class OAuthError extends AuthError { static readonly code: 6; }
export declare class InvalidGrantError extends AuthError { static readonly code: 7; }
export declare class InvalidClientError extends AuthError { static readonly code: 8; }
export declare class AccessDeniedError extends AuthError { static readonly code: 9; }
export declare class CancelledError extends AuthError { static readonly code: 10; }
export declare class StateMismatchError extends AuthError { static readonly code: 11; }
export declare class IdTokenError extends AuthError { static readonly code: 12; }
export declare class RedirectError extends AuthError { static readonly code: 13; }
export declare class BrowserError extends AuthError { static readonly code: 14; }
export declare class FormatError extends AuthError { static readonly code: 15; }
export declare class IOError extends AuthError { static readonly code: 16; }
export declare class UnsupportedError extends AuthError { static readonly code: 17; }
export declare class InternalError extends AuthError { static readonly code: 99; }
/** The loaded libauthtoken lacks this function (it is older than the binding). */
export declare class FunctionUnavailableError extends Error { readonly function: string; }

export interface DevicePrompt {
  verificationUri: string;
  userCode: string;
  /** "" when the provider gave none. */
  verificationUriComplete: string;
  expiresIn: number;
}
/** Return false (or throw) to cancel the flow. Runs on the main thread while the flow waits. */
export type OpenUrlCallback = (url: string) => boolean | void | Promise<unknown>;
export type DevicePromptCallback = (prompt: DevicePrompt) => boolean | void | Promise<unknown>;

type OptionValue = string | number | null | undefined;
export type ParametersOptions = { [K in OptionName]?: OptionValue } & {
  openUrl?: OpenUrlCallback | null;
  devicePrompt?: DevicePromptCallback | null;
};

interface Freeable {
  /** Frees the native object now (also done when it is garbage collected). */
  free(): void;
  [Symbol.dispose](): void;
}

/** auth_params. Options are validated when set (InvalidArgumentError); null resets one. */
export declare class Parameters implements Freeable {
  protected constructor(kind: number, options?: ParametersOptions);
  readonly kind: number;
  set(option: OptionName | number, value: OptionValue): this;
  /** The value set (secrets are not kept: undefined). */
  get(option: OptionName | number): string | number | undefined;
  setOpenUrl(callback: OpenUrlCallback | null): this;
  setDevicePrompt(callback: DevicePromptCallback | null): this;
  /** Ends the interactive flows running with these parameters (CancelledError). */
  cancel(): void;
  free(): void;
  [Symbol.dispose](): void;

  clientId?: OptionValue; clientSecret?: OptionValue; authUrl?: OptionValue; tokenUrl?: OptionValue;
  scope?: OptionValue; redirectUrl?: OptionValue; responseType?: OptionValue;
  additionalParameters?: OptionValue; configurationUrl?: OptionValue; clientAuth?: OptionValue;
  loginTimeout?: OptionValue; httpTimeout?: OptionValue; flow?: OptionValue;
  deviceAuthUrl?: OptionValue; revocationUrl?: OptionValue; userinfoUrl?: OptionValue;
  pkce?: OptionValue; successPage?: OptionValue; logoutUrl?: OptionValue;
  introspectionUrl?: OptionValue; clientCertificate?: OptionValue;
  clientCertificatePassword?: OptionValue; jwtPrivateKey?: OptionValue; jwtAlgorithm?: OptionValue;
  jwtKeyId?: OptionValue; jwtIssuer?: OptionValue; jwtSubject?: OptionValue;
  jwtAudience?: OptionValue; caFile?: OptionValue; proxy?: OptionValue; clockSkew?: OptionValue;
  acrValues?: OptionValue; maxAge?: OptionValue; prompt?: OptionValue; loginHint?: OptionValue;
  requestedTokenType?: OptionValue; audience?: OptionValue; actorToken?: OptionValue;
  actorTokenType?: OptionValue; cibaUrl?: OptionValue; bindingMessage?: OptionValue;
}
export declare class OAuth2Parameters extends Parameters { constructor(options?: ParametersOptions); }
export declare class OpenIDParameters extends Parameters { constructor(options?: ParametersOptions); }
export declare class JWTParameters extends Parameters { constructor(options?: ParametersOptions); }

/** auth_token: immutable; a refresh gives a new one. */
export declare class Token implements Freeable {
  private constructor();
  readonly value: string;
  readonly refreshToken: string;
  /** Seconds since the epoch, 0 if unknown. */
  readonly expirationTimestamp: number;
  readonly expiration: Date | null;
  readonly isValid: boolean;
  readonly tokenType: string;
  readonly scope: string;
  readonly idToken: string;
  readonly serverResponse: string;
  readonly authorizationHeader: string;
  /** What a token exchange issued (a token type URI), "" if the answer named none. */
  readonly issuedTokenType: string;
  expiresWithin(seconds: number): boolean;
  serialize(): Buffer;
  static deserialize(bytes: Uint8Array): Token;
  save(file: string): void;
  static load(file: string): Token;
  refresh(): Promise<Token>;
  free(): void;
  [Symbol.dispose](): void;
}

/** auth_identity: the claims about the signed-in user. */
export declare class Identity implements Freeable {
  private constructor();
  readonly isValid: boolean;
  /** Every claim as JSON text. */
  readonly source: string;
  readonly claims: Record<string, unknown>;
  /** String form of a claim (JSON for non-strings); null if absent. */
  claim(name: string): string | null;
  readonly subject: string;
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly name: string;
  readonly idToken: string;
  free(): void;
  [Symbol.dispose](): void;
}

/** Two-step login for hosts that receive the redirect themselves. */
export declare class Login implements Freeable {
  private constructor();
  static begin(params: Parameters): Promise<Login>;
  readonly url: string;
  complete(redirectUrl: string): Promise<Token>;
  free(): void;
  [Symbol.dispose](): void;
}

/** A token that stays fresh (refresh or login as needed), optionally kept in a file. */
export declare class Session implements Freeable {
  private constructor();
  static create(params: Parameters, file?: string | null,
    options?: { onTokenChanged?: (token: Token) => void }): Promise<Session>;
  static open(params: Parameters, file?: string | null): Promise<Token>;
  onTokenChanged(callback: ((token: Token) => void) | null): this;
  token(minValidSeconds?: number): Promise<Token>;
  logout(): Promise<void>;
  free(): void;
  [Symbol.dispose](): void;
}

export declare function identify(params: Parameters): Promise<Token>;
export declare function verifyAuthentication(params: Parameters): Promise<Token>;
export declare function refreshToken(token: Token): Promise<Token>;
export declare function revokeToken(token: Token): Promise<void>;
export declare function introspectToken(token: Token): Promise<Record<string, unknown>>;
export declare function logout(token: Token, params?: Parameters): Promise<void>;
export declare function readIdentity(token: Token): Promise<Identity>;
export declare function getUserInfo(token: Token): Promise<Identity>;
export declare function importToken(answer: string | Record<string, unknown>, params?: Parameters | null): Token;
export declare function createJwtAssertion(params: Parameters): string;
/** Token exchange (RFC 8693). */
export declare function exchangeToken(params: Parameters, subjectToken: string,
  subjectTokenType?: string | null): Promise<Token>;
/** Step-up authentication (RFC 9470) from a resource server's WWW-Authenticate value. */
export declare function stepUp(params: Parameters, wwwAuthenticate: string): Promise<Token>;
/** One challenge of a WWW-Authenticate value. */
export type Challenge =
  | { scheme: string; params: Record<string, string> }
  | { scheme: string; token68: string };
/** A WWW-Authenticate value (RFC 9110 §11.6.1) as its challenges. */
export declare function parseChallenge(wwwAuthenticate: string): Challenge[];
export declare function openSession(params: Parameters, file?: string | null): Promise<Token>;
export declare function createSession(params: Parameters, file?: string | null,
  options?: { onTokenChanged?: (token: Token) => void }): Promise<Session>;
/** Log lines up to maxLevel (1 error ... 4 debug); null turns logging off. */
export declare function setLogCallback(callback: ((level: number, message: string) => void) | null, maxLevel?: number): void;
export declare function resultName(code: number): string;
export declare function version(): string;
export declare function libraryPath(): string;
export declare function hasFunction(name: string): boolean;
