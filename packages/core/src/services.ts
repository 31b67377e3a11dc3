import type { Db } from '@shoal/db';
import { SystemService } from './system/status';

/** Every domain service, built once per process over one database. */
export interface Services {
  system: SystemService;
}

export function createServices(db: Db): Services {
  return {
    system: new SystemService(db.prisma, db.kind),
  };
}
