/**
 * A committer chosen by leaf order: the present member with the lowest leaf index. This is NOT how Sabha
 * chooses: the server picks by seniority (host, then co-hosts, then participants by when they were admitted;
 * the first of them who is a connected group member, `MlsDelivery.chooseCommitter`) and tells that member
 * with `mls-pending`, so clients never compute it. This helper only lets tests of the MLS layer alone
 * (test/unit/mls-membership.test.ts) pick a committer without a server; the app does not use it.
 */

/**
 * @param membersByLeaf identities by leaf index (undefined = blank leaf), as `MlsMember.members()` returns
 * @param absent identities that are leaving or gone and must not be chosen
 * @returns the identity that should commit, or undefined if nobody is left
 */
export function chooseCommitter(membersByLeaf: readonly (string | undefined)[], absent: ReadonlySet<string>): string | undefined {
  for (const id of membersByLeaf) {
    if (id !== undefined && !absent.has(id)) return id;
  }
  return undefined;
}
