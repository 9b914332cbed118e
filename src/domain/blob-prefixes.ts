/** Every file of one avatar lives under this prefix, so deleting the avatar deletes them all. */
export const avatarBlobPrefix = (avatarId: string) => `avatars/${avatarId}`;
