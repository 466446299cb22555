/**
 * What an error says, for a log line or a message: its message, or the thrown value as text. Read by its `message`
 * rather than by `instanceof Error`: a native module keeps the error class of the realm that loaded it first (under
 * jest, another test file's), whose errors are no instances of this realm's Error.
 */
export const messageOf = (error: unknown): string => {
  const message = (error as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' ? message : String(error);
};
