/** The fields every kind of stats document opens with: which uWSGI, which process, as which user, where. */
export interface ProcessFields {
  version: string;
  pid: number;
  uid: number;
  gid: number;
  cwd: string;
}

/** The common opening fields of a validated top-level record, for any document kind. */
export function processFields(top: ProcessFields): ProcessFields {
  return { version: top.version, pid: top.pid, uid: top.uid, gid: top.gid, cwd: top.cwd };
}
