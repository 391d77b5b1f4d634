import type { Config } from '../../config/load.ts';
import type { PlatformSecrets } from '../../crypto/secrets.ts';
import type { Db } from '../../db/connection.ts';
import type { LoginThrottle } from '../../intake/login-throttle.ts';
import type { ChannelKeys } from './channel-key.ts';
import type { LineClients } from './clients.ts';

/** What the LINE channel's processing is given. */
export type LineDeps = {
  db: Db;
  config: Config;
  secrets: PlatformSecrets;
  keys: ChannelKeys;
  clients: LineClients;
  /** The receipt-login throttle: tracking codes typed on LINE are guesses like any other. */
  throttle: LoginThrottle;
  /** First retry delay in seconds (default 5); tests make it short. */
  retryBaseSeconds?: number;
};
