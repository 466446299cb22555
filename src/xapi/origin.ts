/** The activity IRIs of the portal's words, `{origin}/api/v1/words/{id}`: the id is the first group. */
export function wordActivityPattern(origin: string): RegExp {
  return new RegExp(`^${origin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/api/v1/words/([1-9]\\d{0,15})$`);
}
