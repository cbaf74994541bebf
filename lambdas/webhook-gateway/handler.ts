/** Placeholder entry point until this Lambda's issue lands; it refuses every event. */
export const handler = async (): Promise<never> => {
  throw new Error('Not implemented yet');
};
