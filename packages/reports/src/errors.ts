/** The follower was deleted (or never existed): retrying cannot help, the message is dead-lettered. */
export class FollowerNotFoundError extends Error {
  constructor(followerId: string) {
    super(`follower ${followerId} does not exist`);
    this.name = 'FollowerNotFoundError';
  }
}
