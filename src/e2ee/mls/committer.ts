/**
 * Which member commits next. Server and clients apply the same rule, so nobody needs to be told:
 * the present member with the lowest leaf index. When the committer leaves, the next one takes over.
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
