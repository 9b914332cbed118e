/**
 * A principal is the pair (organization, user): user ids are chosen by whoever mints keys, so they are unique only
 * inside one organization. These two rules are the whole of tenancy; every check of the API uses them.
 */
export interface Tenant {
  userId: string;
  organizationId: string | null;
}

/** What a caller may see: its organization's things, or, without an organization, only its own orgless ones. */
export function sees(caller: Tenant, thing: Tenant): boolean {
  return caller.organizationId !== null
    ? thing.organizationId === caller.organizationId
    : thing.organizationId === null && thing.userId === caller.userId;
}

/** Ownership is the same pair: the same user id in another organization (or in none) is someone else. */
export function owns(caller: Tenant, thing: Tenant): boolean {
  return thing.userId === caller.userId && thing.organizationId === caller.organizationId;
}
