import type { EventStore } from '../channels/line/store-events.ts';
import type { Config } from '../config/load.ts';
import type { PlatformSecrets } from '../crypto/secrets.ts';
import type { Db } from '../db/connection.ts';
import type { StaffActor } from '../staff/session.ts';
import type { LoginLimits } from '../intake/login-throttle.ts';
import type { FilingGate } from '../intake/filing-cost.ts';

/** What the HTTP layer is given; handlers pass the parts they need to one domain call. */
export type WebDeps = {
  config: Config;
  db: Db;
  secrets: PlatformSecrets;
  /** The login limits, one per scope (src/intake/login-throttle.ts). */
  limits: LoginLimits;
  /** The cost of anonymous filing under load: the web forms and the API share one. */
  filingGate: FilingGate;
  /** The ledger's verifier key, once the ledger exists. */
  ledgerVkey: () => string | null;
  /** The LINE webhook's store (group commit); the route makes one when none is given. */
  lineEvents?: EventStore;
  /** Called when LINE webhook events were stored, to wake their processing. */
  onLineEvents?: () => void;
  /** The staff pages a user may open besides the inbox (administration, account), for the layout's menu. */
  staffNav?: (actor: StaffActor) => { href: string; key: string }[];
};
