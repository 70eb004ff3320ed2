/**
 * HTTP Basic auth with passport. passport-http 0.3 cuts a password at its first ':' (its issue
 * #20), so the strategy's header parsing is replaced by the `basic-auth` package, which splits
 * at the first ':' only, as RFC 7617 says (a user name cannot hold ':', a password can).
 */
import basicAuth from 'basic-auth';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import passport from 'passport';
import { BasicStrategy } from 'passport-http';
import { TooManyRequests, Unauthorized } from '../shared/errors.js';
import { clipText } from '../shared/model/fields.js';
import { type HubStore, type User, userNameKey } from './store/index.js';
import { LoginThrottle } from './throttle.js';

export const REALM = 's15n';
const CHALLENGE = `Basic realm="${REALM}", charset="UTF-8"`;

type Verify = (req: Request, name: string, password: string, done: (error: unknown, user?: User | false) => void) => void;

interface StrategyActions {
  fail(challenge: string): void;
  success(user: User): void;
  error(error: unknown): void;
}

class RfcBasicStrategy extends BasicStrategy {
  constructor(private readonly check: Verify) {
    super({ passReqToCallback: true, realm: REALM }, () => undefined);
  }

  override authenticate(req: Request): void {
    const self = this as unknown as StrategyActions;
    const credentials = basicAuth(req);
    if (!credentials) return self.fail(CHALLENGE);
    this.check(req, credentials.name, credentials.pass, (error, user) => {
      if (error) return self.error(error);
      if (!user) return self.fail(CHALLENGE);
      return self.success(user);
    });
  }
}

/** Middleware that authenticates every request and sets req.user, or answers 401 / 429. */
export function authenticate(store: HubStore, throttle: LoginThrottle): RequestHandler {
  const authenticator = new passport.Passport();
  authenticator.use(
    'basic',
    new RfcBasicStrategy((req, given, password, done) => {
      // One throttle key per user, however the name is spelt (NFC or not).
      const name = userNameKey(given);
      const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
      const refuse = (wait: number) => {
        req.res?.setHeader('Retry-After', String(wait));
        done(new TooManyRequests(`too many failed logins for "${clipText(name)}" from this address; try again in ${wait} s`));
      };
      // A locked key is refused without checking the password, so guessing stops costing us scrypt.
      const wait = throttle.retryAfter(address, name);
      if (wait > 0) return refuse(wait);
      store.verifyUser(name, password).then(
        (user) => {
          // Guesses sent in parallel all pass the check above before any of them has failed;
          // deciding again now means that past the limit a burst learns nothing, right or wrong.
          const lockedMeanwhile = throttle.retryAfter(address, name);
          if (!user) throttle.failed(address, name);
          if (lockedMeanwhile > 0) return refuse(lockedMeanwhile);
          if (user) throttle.succeeded(address, name);
          done(null, user ?? false);
        },
        (error: unknown) => done(error),
      );
    }),
  );
  const middleware = authenticator.initialize();
  return (req: Request, res: Response, next: NextFunction) => {
    middleware(req, res, () => {
      authenticator.authenticate('basic', { session: false }, (error: unknown, user: User | false) => {
        if (error) return next(error);
        if (!user) {
          res.setHeader('WWW-Authenticate', CHALLENGE);
          return next(new Unauthorized(basicAuth(req) ? 'wrong user name or password' : 'authentication required (HTTP Basic)'));
        }
        req.user = user;
        next();
      })(req, res, next);
    });
  };
}

/** The authenticated user of a request (after `authenticate`). */
export function userOf(req: Request): User {
  const user = req.user as User | undefined;
  if (!user) throw new Unauthorized();
  return user;
}
