// The part of autocannon's API the benchmark uses (the package ships no types).
declare module 'autocannon' {
  export interface Request {
    method?: string;
    path?: string;
    body?: string;
    headers?: Record<string, string>;
    setupRequest?: (request: Request, context: object) => Request;
  }
  interface Options extends Request {
    url: string;
    connections?: number;
    duration?: number;
    amount?: number;
    requests?: Request[];
  }
  interface Result {
    requests: { total: number };
    errors: number;
    timeouts: number;
    non2xx: number;
    statusCodeStats: Record<string, { count: number }>;
  }
  /** A run: its result once it ends, its answers as they come; `stop` ends it early. */
  interface Run extends PromiseLike<Result> {
    on(
      event: 'response',
      listener: (client: object, statusCode: number, bytes: number, latencyMs: number) => void,
    ): this;
    stop(): void;
  }
  function autocannon(options: Options): Run;
  export default autocannon;
}
